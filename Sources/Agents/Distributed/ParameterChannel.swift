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

/// Starts a parameter service that answers `learner`'s workers, with `weights` published as
/// version 1 before any worker can connect; the CLI passes one in (see `DistributedRuntime`).
public typealias ParameterChannelOpener = (_ learner: any DistributedLearner, _ weights: [UInt8]) throws -> any ParameterChannel
