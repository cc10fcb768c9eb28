extension RedisReply {
    /// An `HGETALL` reply as a dictionary (empty for a missing key or another reply kind).
    public var hashFields: [String: String] {
        guard case .array(let items) = self else { return [:] }
        var out: [String: String] = [:]
        var i = 0
        while i + 1 < items.count {
            if let key = items[i].string { out[key] = items[i + 1].string ?? "" }
            i += 2
        }
        return out
    }
}
