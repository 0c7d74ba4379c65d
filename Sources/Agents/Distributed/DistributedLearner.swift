import GymCore

/// What a distributed learner answers its workers with. The parameter service calls these on
/// its own thread, one at a time, so a learner guards what its training loop shares with them.
public protocol DistributedLearner: AnyObject {
    /// A worker asks for its job: its index and the run's settings.
    func join(name: String) throws -> (index: Int, settings: ValueMap)
    /// A worker's gradients (safetensors bytes) computed from weights `version`; returns the
    /// weights to publish next, or nil to keep the current ones.
    func apply(gradients: [UInt8], from version: UInt64, worker: Int, stats: EpisodeStats) throws -> [UInt8]?
    /// A worker's progress on weights `version`; throws for one no worker could have made.
    func report(worker: Int, version: UInt64, stats: EpisodeStats) throws
}
