import Foundation
import GymCore
import GymProtocol
import ZeroMQ

/// A worker's or actor's client of a learner's parameter service, with a timeout on every call.
public final class ParameterClient: @unchecked Sendable {
    /// The channel underneath.
    public let channel: ServiceChannel<Gym_V1_ParametersRequest, Gym_V1_ParametersResponse>

    /// Connects and performs the version handshake (fails on a version mismatch or timeout).
    public init(endpoint: String, timeout: Double = 10, clientName: String = "gym-swift", context: Context = .shared,
                security: CurveSettings? = nil) throws {
        channel = try ServiceChannel(endpoint: endpoint, timeout: timeout, context: context, security: security)
        _ = try channel.call(.with { $0.hello = .with { $0.protocolVersion = gymProtocolVersion; $0.clientName = clientName } })
    }

    /// Asks for a job: the worker's index and the run's settings.
    public func join(name: String) throws -> (index: Int, settings: ValueMap) {
        let reply = try channel.call(.with { $0.join = .with { $0.name = name } }).join
        return (Int(reply.workerIndex), try reply.settings.valueMap())
    }

    /// The newest weights if newer than `version`, waiting up to `wait` seconds for them.
    public func fetch(newerThan version: UInt64, wait: Double = 0) throws -> VersionedWeights {
        let milliseconds = UInt32(clamping: Int((max(0, wait) * 1000).rounded()))
        return Self.weights(try channel.call(.with { $0.fetch = .with { $0.newerThan = version; $0.timeoutMs = milliseconds } },
                                             extraSeconds: wait).weights)
    }

    /// Pushes gradients computed from weights `version`; returns the learner's newest weights.
    public func push(gradients: [UInt8], from version: UInt64, worker: Int, stats: EpisodeStats) throws -> VersionedWeights {
        Self.weights(try channel.call(.with {
            $0.pushGradients = .with {
                $0.workerIndex = UInt32(clamping: worker)
                $0.version = version
                $0.safetensors = Data(gradients)
                $0.stats = Gym_V1_EpisodeStats(stats)
            }
        }).weights)
    }

    /// Reports progress from weights `version`; returns the newest version and whether to stop.
    public func report(worker: Int, version: UInt64, stats: EpisodeStats) throws -> (version: UInt64, stop: Bool) {
        let reply = try channel.call(.with {
            $0.report = .with { $0.workerIndex = UInt32(clamping: worker); $0.version = version; $0.stats = Gym_V1_EpisodeStats(stats) }
        }).report
        return (reply.version, reply.stop)
    }

    /// Publishes new weights; returns their version.
    @discardableResult
    public func publish(_ safetensors: [UInt8]) throws -> UInt64 {
        try channel.call(.with { $0.publish = .with { $0.safetensors = Data(safetensors) } }).publish.version
    }

    private static func weights(_ wire: Gym_V1_Weights) -> VersionedWeights {
        VersionedWeights(version: wire.version, safetensors: [UInt8](wire.safetensors), stop: wire.stop)
    }
}
