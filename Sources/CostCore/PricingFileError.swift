/// A pricing file could not be read. The message names the entry and the field.
public struct PricingFileError: Error, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
