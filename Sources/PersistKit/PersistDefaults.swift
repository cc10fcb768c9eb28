/// The persist worker's own defaults where they differ from every worker's
/// (`WorkerOptions`: batch 1000, prefetch 2000); pass them to `WorkerOptions.settings`.
///
/// Bigger batches: each batch costs a commit, a dozen round trips and one aggregate delta
/// row per session and per (day, agent, provider, model) it touched, however many events it
/// holds. At 2000 events a batch that work per event halves (`costctl bench persist` measured
/// ~10–15 % less CPU per event than at 1000). The prefetch is twice the batch so the broker
/// keeps delivering while a batch commits (a prefetch equal to the batch stalls the loop).
public enum PersistDefaults {
    public static let batchSize = 2000
    public static let prefetch: UInt16 = 4000
}
