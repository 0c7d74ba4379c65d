import Agents
import GymCore
import GymProtocol
import Logging
import ParameterService

/// A distributed learner's `ParameterChannel` on a `ParameterServer` (a ROUTER socket): the
/// server side of the run, which the CLI starts so that algorithms never host a socket.
public final class ParameterServiceChannel: ParameterChannel, @unchecked Sendable {
    private let server: ParameterServer
    // Held strongly here: the server holds its learner weakly.
    private let bridge: LearnerBridge

    private init(learner: any DistributedLearner, bind: String, logger: Logger) {
        bridge = LearnerBridge(learner)
        server = ParameterServer(bind: bind, learner: bridge, logger: logger)
    }

    /// Opens channels whose services bind to `bind` (e.g. `tcp://0.0.0.0:5570`, or a wildcard port).
    public static func opener(bind: String, logger: Logger) -> ParameterChannelOpener {
        { learner, weights in try open(learner: learner, weights: weights, bind: bind, logger: logger) }
    }

    /// Starts a service for `learner` on `bind` with `weights` published as version 1.
    public static func open(learner: any DistributedLearner, weights: [UInt8], bind: String, logger: Logger) throws -> ParameterServiceChannel {
        let channel = ParameterServiceChannel(learner: learner, bind: bind, logger: logger)
        channel.server.publish(weights)
        try channel.server.start()
        return channel
    }

    /// Where workers connect.
    public var endpoint: String { server.endpoint }
    /// The newest weights' version.
    public var currentVersion: UInt64 { server.currentVersion }
    /// Publishes new weights; returns their version.
    @discardableResult public func publish(_ weights: [UInt8]) -> UInt64 { server.publish(weights) }
    /// Replies from now on tell workers to stop.
    public func finish() { server.finish() }
    /// Stops the server and waits for its thread.
    public func close() { server.shutdown() }
}

/// The server's calls, from wire types to the learner's value types.
private final class LearnerBridge: ParameterLearner {
    let learner: any DistributedLearner

    init(_ learner: any DistributedLearner) { self.learner = learner }

    func join(name: String) throws -> (index: UInt32, settings: ValueMap) {
        let (index, settings) = try learner.join(name: name)
        return (UInt32(clamping: index), settings)
    }

    func apply(gradients: [UInt8], from version: UInt64, worker: UInt32, stats: Gym_V1_EpisodeStats) throws -> [UInt8]? {
        try learner.apply(gradients: gradients, from: version, worker: Int(worker), stats: EpisodeStats(stats))
    }

    func report(worker: UInt32, version: UInt64, stats: Gym_V1_EpisodeStats) throws {
        try learner.report(worker: Int(worker), version: version, stats: EpisodeStats(stats))
    }
}
