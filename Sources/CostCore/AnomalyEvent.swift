/// A scenario event with its ground truth.
public struct AnomalyEvent: Sendable, Equatable {
    public var event: UsageEvent
    public var label: AnomalyLabel
    /// The attack episode that produced it (nil for normal traffic).
    public var episode: Int?

    public init(event: UsageEvent, label: AnomalyLabel = .normal, episode: Int? = nil) {
        self.event = event
        self.label = label
        self.episode = episode
    }
}
