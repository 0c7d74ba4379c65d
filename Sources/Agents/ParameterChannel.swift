import GymCore

/// The parameter service as a distributed learner holds it: where workers reach it, the
/// weights it publishes to them, and the end of the run. The learner is handed one (acme's
/// variable source, seen from the learner's side); it never hosts the service itself.
///
/// ```
/// let channel = try openChannel(learner, initialWeights)   // workers can join from here on
/// defer { channel.close() }
/// while training { …; channel.publish(newWeights) }
/// channel.finish()                                         // replies now tell workers to stop
/// ```
public protocol ParameterChannel: AnyObject {
    /// Where workers connect, with a wildcard port resolved.
    var endpoint: String { get }
    /// The newest published weights' version.
    var currentVersion: UInt64 { get }
    /// Publishes new weights (safetensors bytes); returns their version.
    @discardableResult func publish(_ weights: [UInt8]) -> UInt64
    /// Tells every worker to stop: replies from now on say so.
    func finish()
    /// Stops serving; workers not yet told to stop then time out.
    func close()
}

/// What a distributed learner answers its workers with. The parameter service calls these on
/// its own thread, one at a time, so a learner guards what its training loop shares with them.
public protocol DistributedLearner: AnyObject {
    /// A worker asks for its job: its index and the run's settings.
    func join(name: String) throws -> (index: Int, settings: ValueMap)
    /// A worker's gradients (safetensors bytes) computed from weights `version`; returns the
    /// weights to publish next, or nil to keep the current ones.
    func apply(gradients: [UInt8], from version: UInt64, worker: Int, stats: EpisodeStats) throws -> [UInt8]?
    /// A worker's progress on weights `version`.
    func report(worker: Int, version: UInt64, stats: EpisodeStats)
}

/// Starts a parameter service that answers `learner`'s workers, with `weights` published as
/// version 1 before any worker can connect; the CLI passes one in (see `DistributedRuntime`).
public typealias ParameterChannelOpener = (_ learner: any DistributedLearner, _ weights: [UInt8]) throws -> any ParameterChannel
