/// One injected attack: which agent, when, and from when it should be detectable.
public struct AnomalyEpisode: Sendable, Equatable {
    public var id: Int
    public var label: AnomalyLabel
    public var agentID: String
    public var start: Timestamp
    public var end: Timestamp
    /// Per-event recall counts the episode's events from here on: 3 minutes after the start
    /// (10 for a runaway loop, which only differs from a legitimate burst by lasting), or for a
    /// slow drip once spend has reached 2.5× the agent's normal.
    public var detectableFrom: Timestamp
    /// Intensity as generated (calls/min multiplier, input multiplier, cost ratio, models…), for reports.
    public var intensity: Double

    public init(id: Int, label: AnomalyLabel, agentID: String, start: Timestamp, end: Timestamp,
                detectableFrom: Timestamp, intensity: Double) {
        self.id = id
        self.label = label
        self.agentID = agentID
        self.start = start
        self.end = end
        self.detectableFrom = detectableFrom
        self.intensity = intensity
    }
}
