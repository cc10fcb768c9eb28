extension AgentRiskState {
    static let kind = UInt8(ascii: "A")
    /// 3: a sixth short-term level (the slow uncached-input-per-output level). 4: the sustained
    /// pace per hour of day (`hourPace`, `hourPaceDay`, at the end). 5: `activeMinutes` (at the
    /// end). 6: the session paces (`sessionPace`, `sessionPaceMinute`, `sessionDayPace`,
    /// `sessionEarlierPace`, `sessionDay`, at the end; missing ones start empty). Versions 2–5 are still read (a missing level starts at the short-term one; missing
    /// paces start empty; active minutes start at the events seen, at most 1,000,000, so a
    /// settled agent stays settled), so an upgrade keeps every agent's learned history.
    static let version: UInt8 = 6
    static let oldestReadableVersion: UInt8 = 2

    /// Compact binary form (see `RiskStateWriter`) for a Redis string: about 500 bytes for a
    /// new agent, 1–2 KB after a day, up to ~4 KB with four weeks of hourly history. Decoding it gives back an
    /// equal state.
    public func encoded() -> [UInt8] {
        var writer = RiskStateWriter(kind: Self.kind, version: Self.version, capacity: 1024)
        writer.signed(eventsSeen)
        minutes.write(to: &writer)
        writer.double(sustainedPeak)
        writer.signed(sustainedPeakMinute)
        writer.signed(quarantineUntilMinute)
        writer.signed(suspectUntilMinute)
        for level in recentLevels { writer.double(level) }
        for stat in [eventCost, inputTokens, outputTokens, cacheHit, costPerToken, ioRatio] { writer.stat(stat) }
        writer.double(underReporting)
        writer.unsigned(UInt64(models.count))
        for entry in models {
            writer.unsigned(entry.key)
            writer.unsigned(entry.provider)
            writer.double(entry.weight)
            writer.signed(entry.lastMinute)
            writer.stat(entry.cost)
            writer.stat(entry.costPerToken)
            writer.signed(entry.firstMinute)
            writer.signed(entry.calls)
            writer.signed(entry.mixedHours)
        }
        writer.double(normalModels)
        writer.double(normalProviders)
        writer.signed(violationStreak)
        writer.signed(lastViolationMinute)
        hours.write(to: &writer)
        for value in hourPace { writer.unsigned(UInt64(value)) }
        writer.signed(hourPaceDay)
        writer.signed(activeMinutes)
        writer.double(sessionPace)
        writer.signed(sessionPaceMinute)
        writer.double(sessionDayPace)
        writer.double(sessionEarlierPace)
        writer.signed(sessionDay)
        return writer.bytes
    }

    /// Reads `encoded()` output; throws `RiskStateError` for anything else (wrong kind or
    /// version, truncated, trailing bytes, non-finite statistics).
    public init(decoding bytes: [UInt8]) throws(RiskStateError) {
        var reader = try RiskStateReader(bytes, kind: Self.kind, versions: Self.oldestReadableVersion...Self.version,
                                         what: "agent risk state")
        eventsSeen = try reader.signed()
        try minutes.read(from: &reader)
        sustainedPeak = try reader.double()
        sustainedPeakMinute = try reader.signed()
        quarantineUntilMinute = try reader.signed()
        suspectUntilMinute = try reader.signed()
        for index in 0..<(reader.version >= 3 ? 6 : 5) { recentLevels[index] = try reader.double() }
        if reader.version < 3 { recentLevels[5] = recentLevels[4] }
        eventCost = try reader.stat()
        inputTokens = try reader.stat()
        outputTokens = try reader.stat()
        cacheHit = try reader.stat()
        costPerToken = try reader.stat()
        ioRatio = try reader.stat()
        underReporting = try reader.double()
        let modelCount = try reader.count(max: Self.maxModels)
        models = []
        for _ in 0..<modelCount {
            models.append(RiskModelEntry(
                key: try reader.unsigned(), provider: try reader.unsigned(), weight: try reader.double(),
                lastMinute: try reader.signed(), cost: try reader.stat(), costPerToken: try reader.stat(),
                firstMinute: try reader.signed(), calls: try reader.signed(), mixedHours: try reader.int32()))
        }
        normalModels = try reader.double()
        normalProviders = try reader.double()
        violationStreak = try reader.int32()
        lastViolationMinute = try reader.signed()
        try hours.read(from: &reader)
        if reader.version >= 4 {
            for slot in hourPace.indices {
                let value = try reader.unsigned()
                guard let pace = UInt16(exactly: value) else { throw RiskStateError("pace out of range") }
                hourPace[slot] = pace
            }
            hourPaceDay = try reader.signed()
        }
        if reader.version >= 5 {
            activeMinutes = try reader.int32()
            guard activeMinutes >= 0 else { throw RiskStateError("active minutes out of range") }
        } else {
            activeMinutes = Int32(min(max(eventsSeen, 0), 1_000_000))
        }
        if reader.version >= 6 {
            sessionPace = try reader.double()
            sessionPaceMinute = try reader.signed()
            sessionDayPace = try reader.double()
            sessionEarlierPace = try reader.double()
            sessionDay = try reader.signed()
            guard sessionPace >= 0, sessionDayPace >= 0, sessionEarlierPace >= 0 else {
                throw RiskStateError("session pace out of range")
            }
        }
        try reader.finish()
    }
}

extension RiskHourHistory {
    func write(to writer: inout RiskStateWriter) {
        // Per bucket: how many weeks it holds, then only those totals.
        for bucket in 0..<Self.bucketCount {
            writer.unsigned(UInt64(filled[bucket]))
            for week in 0..<Int(filled[bucket]) {
                writer.signed(spend[bucket * Self.weeks + week])
                writer.signed(calls[bucket * Self.weeks + week])
            }
        }
        writer.signed(firstHour)
        writer.signed(newestHour)
        for value in recentSpend { writer.signed(value) }
        for value in recentCalls { writer.signed(value) }
        for value in explainedSpend { writer.signed(value) }
        for value in explainedCalls { writer.signed(value) }
        for value in expectedSpend { writer.signed(value) }
        writer.signed(expectedCalls)
        writer.signed(expectedSamples)
        writer.signed(hoursRecorded)
        for stat in dispersion { writer.stat(stat) }
        writer.double(drift)
        for value in finishedSpend { writer.signed(value) }
        for value in finishedExpected { writer.signed(value) }
        writer.stat(activeHourSpend)
    }

    /// Reads `write(to:)` output into this history, which must be a fresh one (`init()`, as a
    /// decoded state's starts): its ~8 KB of arrays are filled in place rather than built again.
    mutating func read(from reader: inout RiskStateReader) throws(RiskStateError) {
        for bucket in 0..<Self.bucketCount {
            let count = try reader.count(max: Self.weeks)
            filled[bucket] = UInt8(count)
            for week in 0..<count {
                spend[bucket * Self.weeks + week] = try reader.signed()
                calls[bucket * Self.weeks + week] = try reader.int32()
            }
        }
        firstHour = try reader.signed()
        newestHour = try reader.signed()
        for index in 0..<3 { recentSpend[index] = try reader.signed() }
        for index in 0..<3 { recentCalls[index] = try reader.int32() }
        for index in 0..<3 { explainedSpend[index] = try reader.signed() }
        for index in 0..<3 { explainedCalls[index] = try reader.int32() }
        for index in 0..<3 { expectedSpend[index] = try reader.signed() }
        expectedCalls = try reader.int32()
        expectedSamples = try reader.int32()
        hoursRecorded = try reader.signed()
        for index in dispersion.indices { dispersion[index] = try reader.stat() }
        drift = try reader.double()
        for index in finishedSpend.indices { finishedSpend[index] = try reader.signed() }
        for index in finishedExpected.indices { finishedExpected[index] = try reader.signed() }
        activeHourSpend = try reader.stat()
    }
}
