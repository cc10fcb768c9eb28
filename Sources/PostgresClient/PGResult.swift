/// A result copied out of libpq: text-format values, nil for SQL NULL.
public struct PGResult: Sendable {
    public let columns: [String]
    public let rows: [[String?]]
    /// Rows affected by INSERT/UPDATE/DELETE/COPY/SELECT (`PQcmdTuples`), 0 when not reported.
    public let affectedRows: Int

    public init(columns: [String], rows: [[String?]], affectedRows: Int) {
        self.columns = columns
        self.rows = rows
        self.affectedRows = affectedRows
    }

    /// The value at `row` in the first column named `column`; nil for NULL, an unknown column,
    /// or a row index out of range.
    public subscript(row: Int, column: String) -> String? {
        guard rows.indices.contains(row), let index = columns.firstIndex(of: column),
              rows[row].indices.contains(index) else { return nil }
        return rows[row][index]
    }
}
