import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

extension WorkerProcess {
    /// The value of the Prometheus sample `name{labels}` on the worker's /metrics page (the
    /// sum when several label sets match), nil when absent.
    func metricValue(_ name: String, labels: String) async throws -> Double? {
        let port = try await metricsPort()
        let url = try #require(URL(string: "http://127.0.0.1:\(port)/metrics"))
        let (data, response) = try await URLSession.shared.data(from: url)
        #expect((response as? HTTPURLResponse)?.statusCode == 200, "\(name) /metrics should answer 200")
        let page = String(decoding: data, as: UTF8.self)
        var total: Double?
        for line in page.split(separator: "\n") where line.hasPrefix("\(name){") && line.contains(labels) {
            guard let value = line.split(separator: " ").last.flatMap({ Double($0) }) else { continue }
            total = (total ?? 0) + value
        }
        return total
    }
}
