/// An agent's spend and calls per hour of the week (UTC; hour-of-week 0 = Monday 00:00), for
/// the historical-deviation factor and the hour-aware rate baselines.
///
/// - Each of the 168 buckets keeps the totals of its last `weeks` (4) occurrences, newest
///   first; an hour without events counts as 0 once the agent exists.
/// - The three newest hours are still open (`recentSpend`): an event up to ~2 hours late is
///   still counted. An hour is recorded into its bucket when it leaves that window.
/// - The expectation for an hour is the median of its own bucket when that holds ≥ 3 weeks;
///   otherwise the median pooled over the same hour of the same day type (weekday / weekend),
///   or of every day when that type has none yet (then it only sets rate allowances: its
///   `samples` are 0, so no spend deviation is measured against it). The largest of the medians of the hour and
///   its two neighbours is used, so a daily job that starts half an hour early is not a deviation.
/// - `dispersion` learns how far (in log) a finished hour, and the 3 hours ending with it, land
///   from their expectation, which sets the scale of the robust z-score.
public struct RiskHourHistory: Sendable, Equatable {
    public static let bucketCount = 168
    static let priorSigma = 0.8
    static let driftSlack = 1.0
    public static let weeks = 4

    var spend: [Int64] = Array(repeating: 0, count: bucketCount * weeks)
    var calls: [Int32] = Array(repeating: 0, count: bucketCount * weeks)
    var filled: [UInt8] = Array(repeating: 0, count: bucketCount)
    var firstHour: Int64 = .min
    /// Hour index (Unix seconds / 3600) of the newest open hour; `Int64.min` before the first event.
    public internal(set) var newestHour: Int64 = .min
    /// Spend / calls of the open hours, at index hour mod 3.
    var recentSpend: [Int64] = [0, 0, 0]
    var recentCalls: [Int32] = [0, 0, 0]
    /// The part of the open hours' spend and calls already explained: events scored HIGH or
    /// above by the other factors (`explain`). The history factor, the drift and the hourly
    /// rate leave it out, so an attack that was caught does not keep raising the agent's
    /// later, normal events for hours.
    var explainedSpend: [Int64] = [0, 0, 0]
    var explainedCalls: [Int32] = [0, 0, 0]
    /// Expected spend of hours newestHour − 2, − 1 and newestHour.
    var expectedSpend: [Int64] = [0, 0, 0]
    /// Expected calls in the newest hour.
    var expectedCalls: Int32 = 0
    /// Samples behind the newest hour's expectation (0: no history yet).
    public internal(set) var expectedSamples: Int32 = 0
    /// Finished hours recorded (idle ones included).
    public internal(set) var hoursRecorded: Int64 = 0
    /// ln((spend + floor) / (expected + floor)) of finished hours [0] and of the 3 hours ending
    /// with a finished hour [1].
    var dispersion = [RiskRunningStat(), RiskRunningStat()]
    /// One-sided CUSUM of finished hours' z (centred ln ratio / σ, minus a slack of 1 per hour, never
    /// below 0): spend that stays well above history hour after hour adds up here even when
    /// no single hour stands out.
    public internal(set) var drift: Double = 0
    /// Spend (unexplained) and expectation of the two newest finished hours (newest first).
    var finishedSpend: [Int64] = [0, 0]
    var finishedExpected: [Int64] = [0, 0]
    /// ln(spend) of finished hours that had any spend: the agent's scale.
    var activeHourSpend = RiskRunningStat()

    public init() {}

    static func hourOfWeek(_ hour: Int64) -> Int {
        Int(((hour + 72) % 168 + 168) % 168)  // 1970-01-01 was a Thursday
    }

    @inline(__always) private static func slot(_ hour: Int64) -> Int { Int(((hour % 3) + 3) % 3) }

    /// Adds one event's cost to its hour (advancing the window first when it is newer); an
    /// event more than two hours older than the newest is not counted.
    mutating func record(hour: Int64, cost: Nanodollars) {
        advance(to: hour)
        guard hour > newestHour - 3, hour >= firstHour else { return }
        let index = Self.slot(hour)
        recentSpend[index] = (Nanodollars(recentSpend[index]) + cost).value
        recentCalls[index] &+= 1
    }

    /// Marks one recorded event's cost as explained (see `explainedSpend`).
    mutating func explain(hour: Int64, cost: Nanodollars) {
        guard newestHour != .min, hour > newestHour - 3, hour <= newestHour, hour >= firstHour else { return }
        let index = Self.slot(hour)
        explainedSpend[index] = (Nanodollars(explainedSpend[index]) + cost).value
        explainedCalls[index] &+= 1
    }

    /// Spend of open hour `hour` that is not explained.
    func unexplainedSpend(_ hour: Int64) -> Int64 {
        let index = Self.slot(hour)
        return max(0, recentSpend[index] - explainedSpend[index])
    }

    /// Calls of the previous and the open hour (the one holding `minute`, the newest) over what
    /// this hour-of-week's history expects of them so far (the previous hour's expectation and
    /// the open hour's prorated to the minute), each plus `floor` calls. 0 without history, or
    /// when the ratio stays below `atLeast` (checked first against the open hour's expectation
    /// alone, so the previous hour's is looked up only when the ratio could reach it).
    func recentCallVolume(minute: Int64, floor: Double, atLeast: Double) -> Double {
        let hour = floorDivide(minute, 60)
        guard expectedSamples > 0, newestHour != .min, hour == newestHour else { return 0 }
        let elapsed = Double(minute - hour * 60 + 1) / 60
        let calls = Double(openCalls(hour)) + Double(openCalls(hour - 1)) + floor
        let open = Double(expectedCalls) * elapsed + floor
        guard calls >= atLeast * open else { return 0 }
        let volume = calls / (Double(expectation(forHour: hour - 1).calls) + open)
        return volume >= atLeast ? volume : 0
    }

    /// Calls of open hour `hour` so far, explained ones included (0 for an hour outside the open window).
    func openCalls(_ hour: Int64) -> Int32 {
        guard newestHour != .min, hour > newestHour - 3, hour <= newestHour else { return 0 }
        return recentCalls[Self.slot(hour)]
    }

    mutating func advance(to hour: Int64) {
        if newestHour == .min {
            firstHour = hour
            newestHour = hour
            refreshExpectations()
            return
        }
        guard hour > newestHour else { return }
        // Hours leaving the open window: newestHour − 2 … hour − 3 (idle ones capped at a week).
        let lastLeaving = hour - 3
        var leaving = newestHour - 2
        if lastLeaving - newestHour > Int64(Self.bucketCount) {
            for open in leaving...newestHour where open >= firstHour {
                finish(open, spend: recentSpend[Self.slot(open)], calls: recentCalls[Self.slot(open)],
                       explained: explainedSpend[Self.slot(open)])
            }
            leaving = lastLeaving - Int64(Self.bucketCount) + 1
        }
        while leaving <= lastLeaving {
            if leaving >= firstHour {
                let isOpen = leaving <= newestHour
                finish(leaving, spend: isOpen ? recentSpend[Self.slot(leaving)] : 0,
                       calls: isOpen ? recentCalls[Self.slot(leaving)] : 0,
                       explained: isOpen ? explainedSpend[Self.slot(leaving)] : 0)
            }
            leaving += 1
        }
        for open in max(newestHour + 1, hour - 2)...hour {
            recentSpend[Self.slot(open)] = 0
            recentCalls[Self.slot(open)] = 0
            explainedSpend[Self.slot(open)] = 0
            explainedCalls[Self.slot(open)] = 0
        }
        newestHour = hour
        refreshExpectations()
    }

    private mutating func finish(_ hour: Int64, spend total: Int64, calls count: Int32, explained: Int64) {
        let expectation = expectation(forHour: hour)
        let unexplained = max(0, total - explained)
        if expectation.samples > 0, unexplained > 0 || expectation.spend > 0 {
            let floor = spendFloor(minimum: Self.usualHourMinimumSpend)
            let ratio = (Double(unexplained) + floor) / (Double(expectation.spend) + floor)
            dispersion[0].add(RiskMath.ln(ratio), alpha: 0.03, initialDeviation: 0.5)
            let spend3 = Double(unexplained) + Double(finishedSpend[0]) + Double(finishedSpend[1])
            let expected3 = Double(expectation.spend) + Double(finishedExpected[0]) + Double(finishedExpected[1])
            dispersion[1].add(RiskMath.ln((spend3 + floor) / (expected3 + floor)), alpha: 0.03, initialDeviation: 0.5)
            // An hour the agent does not usually spend in (its expectation below the floor: idle
            // or nearly so on the earlier days) has no level to drift from: an agent taking up
            // new hours (back after days away, a new schedule) is not a slow drip.
            let z = spendsUsually(expected: expectation.spend) ? hourZ(RiskMath.ln(ratio)) : 0
            drift = min(20, max(0, drift + z - Self.driftSlack))
        }
        finishedSpend = [unexplained] + finishedSpend.dropLast()
        finishedExpected = [expectation.samples > 0 ? expectation.spend : total] + finishedExpected.dropLast()
        let bucket = Self.hourOfWeek(hour)
        let base = bucket * Self.weeks
        for week in stride(from: Self.weeks - 1, to: 0, by: -1) {
            spend[base + week] = spend[base + week - 1]
            calls[base + week] = calls[base + week - 1]
        }
        spend[base] = total
        calls[base] = count
        filled[bucket] = min(filled[bucket] + 1, UInt8(Self.weeks))
        if total > 0 { activeHourSpend.add(RiskMath.ln(Double(total)), alpha: 0.05, initialDeviation: 1) }
        hoursRecorded += 1
    }

    private mutating func refreshExpectations() {
        for index in 0..<3 {
            let expectation = expectation(forHour: newestHour - 2 + Int64(index))
            expectedSpend[index] = expectation.spend
            if index == 2 {
                expectedCalls = expectation.calls
                expectedSamples = Int32(expectation.samples)
            }
        }
    }

    /// The spread (σ of ln ratio) of window `index` (0: one hour, 1: three hours), shrunk toward
    /// `prior` while few hours have been compared: (n·σ² + 24·prior²) / (n + 24).
    func sigma(_ index: Int, prior: Double, minimum: Double) -> Double {
        let stat = dispersion[index]
        let learned = stat.sigma(minimum: minimum)
        return max(minimum, RiskMath.squareRoot((stat.count * learned * learned + 24 * prior * prior) / (stat.count + 24)))
    }

    /// z of an hour's ln ratio: centred on the agent's usual ln ratio (spend is skewed, so the
    /// median expectation sits below the mean), in units of its spread.
    func hourZ(_ lnRatio: Double) -> Double {
        let center = dispersion[0].count >= 24 ? dispersion[0].mean : 0
        return (lnRatio - max(0, center)) / sigma(0, prior: Self.priorSigma, minimum: 0.25)
    }

    /// A spend floor (nanodollars) that keeps tiny amounts from making huge ratios: a quarter
    /// of the agent's typical active hour, at least `minimum`.
    func spendFloor(minimum: Int64) -> Double {
        guard activeHourSpend.count > 0 else { return Double(minimum) }
        return max(Double(minimum), 0.25 * RiskMath.exponential(activeHourSpend.mean))
    }

    /// Whether an hour expected to spend `expected` is one the agent usually spends in: its
    /// expectation reaches the spend floor (not an hour it was idle, or nearly so, on the
    /// earlier days). The drift and the learning of the paces count only such hours.
    func spendsUsually(expected: Int64) -> Bool {
        Double(expected) >= spendFloor(minimum: Self.usualHourMinimumSpend)
    }

    static let usualHourMinimumSpend: Int64 = 1000

    /// The largest of the pooled medians of the hour and its two neighbours, so a job that
    /// starts a little early or late is not a deviation.
    func expectation(forHour hour: Int64) -> (spend: Int64, calls: Int32, samples: Int) {
        let own = pooledBuckets(Self.hourOfWeek(hour))
        var result = median(of: own)
        for neighbour in [hour - 1, hour + 1] {
            let other = median(of: pooledBuckets(Self.hourOfWeek(neighbour)))
            result.spend = max(result.spend, other.spend)
            result.calls = max(result.calls, other.calls)
        }
        // Samples of the same day type only: an expectation borrowed from the other day type
        // (a Monday judged by a Sunday) is too rough to call a deviation.
        let hourOfDay = Self.hourOfWeek(hour) % 24
        let weekend = Self.hourOfWeek(hour) / 24 >= 5
        let comparable = own.filter { ($0 / 24 >= 5) == weekend && $0 % 24 == hourOfDay }
        return (result.spend, result.calls, comparable.reduce(0) { $0 + Int(filled[$1]) })
    }

    /// The bucket itself once it holds 3 weeks; else the same hour of every day of its day type
    /// (weekday / weekend), or of every day when that type has no history yet.
    private func pooledBuckets(_ bucket: Int) -> [Int] {
        if filled[bucket] >= 3 { return [bucket] }
        let hourOfDay = bucket % 24
        let weekend = bucket / 24 >= 5
        let sameType = (weekend ? [5, 6] : [0, 1, 2, 3, 4]).map { $0 * 24 + hourOfDay }
        if sameType.contains(where: { filled[$0] > 0 }) { return sameType }
        return (0..<7).map { $0 * 24 + hourOfDay }
    }

    private func median(of buckets: [Int]) -> (spend: Int64, calls: Int32) {
        var spends: [Int64] = []
        var counts: [Int32] = []
        for candidate in buckets {
            for week in 0..<Int(filled[candidate]) {
                spends.append(spend[candidate * Self.weeks + week])
                counts.append(calls[candidate * Self.weeks + week])
            }
        }
        guard !spends.isEmpty else { return (0, 0) }
        spends.sort()
        counts.sort()
        let middle = spends.count / 2
        if spends.count % 2 == 1 { return (spends[middle], counts[middle]) }
        return (spends[middle - 1] / 2 + spends[middle] / 2, counts[middle - 1] / 2 + counts[middle] / 2)
    }
}
