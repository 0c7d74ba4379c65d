import Foundation
import GymCore
import GymProtocol

/// `count` copies of an environment on a daemon, stepped as one batch (Gymnasium's `VectorEnv`).
///
/// Observations come as one array per observation leaf, shaped `[count, ...]`. The autoreset
/// mode is explicit; in `.nextStep` mode the step after an episode's end returns the reset
/// observation, so the final observation is the one returned with `terminated` or `truncated`.
public final class RemoteVectorEnv {
    /// The connection this batch lives on.
    public let connection: GymConnection
    /// The daemon's handle for the batch.
    public let handle: UInt64
    /// The environment's spec as the daemon reported it.
    public let spec: EnvSpec
    /// Number of environments.
    public let count: Int
    /// How ended episodes restart.
    public let autoreset: AutoresetMode
    /// The time limit in force, nil for none.
    public let maxEpisodeSteps: Int?
    private var closed = false

    /// The result of a reset.
    public struct Reset {
        /// One array per observation leaf, `[count, ...leaf shape]`.
        public var observations: [NDArray]
        /// Non-empty infos, by env index.
        public var infos: [Int: ValueMap]
    }

    /// The result of a step.
    public struct Step {
        public var observations: [NDArray]
        public var rewards: [Double]
        public var terminated: [Bool]
        public var truncated: [Bool]
        public var infos: [Int: ValueMap]
        /// Same-step mode: env indices whose episode ended, and their final observations per leaf.
        public var finalIndices: [Int]
        public var finalObservations: [NDArray]
        public var finalInfos: [Int: ValueMap]
    }

    /// Makes `count` environments of `id` on the daemon.
    public init(
        connection: GymConnection, id: String, count: Int, seed: UInt64? = nil, kwargs: ValueMap = [:],
        maxEpisodeSteps: Int? = nil, autoreset: AutoresetMode = .nextStep
    ) throws {
        self.connection = connection
        let reply = try connection.call(.make(.with {
            $0.envID = id
            $0.numEnvs = UInt32(clamping: max(0, count))
            if let seed { $0.seed = seed }
            $0.kwargs = kwargs.wire
            if let maxEpisodeSteps { $0.maxEpisodeSteps = Int32(clamping: maxEpisodeSteps) }
            $0.autoreset = autoreset.wire
        })).make
        handle = reply.handle
        spec = try reply.spec.envSpec()
        // A server is a peer like any other: its batch must be the one asked for.
        guard Int(reply.numEnvs) == count else {
            throw GymError(.malformed, "the server made \(reply.numEnvs) env(s), not the \(count) asked for")
        }
        self.count = Int(reply.numEnvs)
        self.autoreset = AutoresetMode(wire: reply.autoreset) ?? autoreset
        self.maxEpisodeSteps = reply.maxEpisodeSteps > 0 ? Int(reply.maxEpisodeSteps) : nil
    }

    /// Resets every environment: no seeds, one seed `s` (env i gets `s + i`) or one per env.
    public func reset(seeds: [UInt64] = [], options: ValueMap = [:]) throws -> Reset {
        let reply = try connection.call(.reset(.with { $0.handle = handle; $0.seeds = seeds; $0.options = options.wire })).reset
        let observations = try reply.observations.map { try $0.ndarray() }
        try checkObservations(observations, rows: count, what: "reset")
        return Reset(observations: observations, infos: try Self.infos(reply.infos))
    }

    /// Checks that a reply's observations are `rows` values of the observation space, leaf by
    /// leaf, so code that indexes them by env cannot be sent past their end by a server.
    private func checkObservations(_ observations: [NDArray], rows: Int, what: String) throws {
        let leaves = spec.observationSpace.leaves
        guard observations.count == leaves.count,
              zip(observations, leaves).allSatisfy({ $0.dtype == $1.dtype && $0.shape == [rows] + $1.shape }) else {
            throw GymError(.malformed, "the server's \(what) reply does not hold \(rows) observation(s) of \(spec.observationSpace.summary)")
        }
    }

    /// Sends a step without waiting for it (pipelining); finish with `receiveStep`.
    public func sendStep(_ actions: [NDArray]) throws -> UInt64 {
        try connection.send(.step(.with { $0.handle = handle; $0.actions = actions.map(Gym_V1_Tensor.init) }))
    }

    /// Waits for a step sent with `sendStep`.
    public func receiveStep(_ id: UInt64) throws -> Step {
        let reply = try connection.receiveStep(id)
        guard reply.rewardData.count == 8 * count, reply.terminated.count == count, reply.truncated.count == count,
              reply.final.envIndices.allSatisfy({ Int($0) < count }) else {
            throw GymError(.malformed, "the server's step reply does not hold one reward, terminated and truncated flag per env of \(count)")
        }
        let rewards = reply.rewardData.withUnsafeBytes { raw in
            (0..<(raw.count / 8)).map { raw.loadUnaligned(fromByteOffset: $0 * 8, as: Double.self) }
        }
        try checkObservations(reply.observations, rows: count, what: "step")
        let finalObservations = try reply.final.observations.map { try $0.ndarray() }
        if !reply.final.envIndices.isEmpty { try checkObservations(finalObservations, rows: reply.final.envIndices.count, what: "step's final") }
        return Step(
            observations: reply.observations,
            rewards: rewards,
            terminated: reply.terminated.map { $0 != 0 },
            truncated: reply.truncated.map { $0 != 0 },
            infos: try Self.infos(reply.infos),
            finalIndices: reply.final.envIndices.map { Int($0) },
            finalObservations: finalObservations,
            finalInfos: try Self.infos(reply.final.infos))
    }

    /// Steps every environment with one action each (one array per action leaf).
    public func step(_ actions: [NDArray]) throws -> Step {
        try receiveStep(try sendStep(actions))
    }

    /// Steps a batch whose action space is `Discrete`.
    public func step(discrete actions: [Int64]) throws -> Step {
        try step([NDArray(dtype: .int64, shape: [actions.count], bytes: actions.withUnsafeBytes { Array($0) })])
    }

    /// Steps a batch whose action space is a float32 `Box`; `actions` is `[count, ...box shape]` flattened.
    public func step(box actions: [Float]) throws -> Step {
        let shape = [count] + spec.actionSpace.shape
        return try step([NDArray(dtype: .float32, shape: shape, bytes: actions.withUnsafeBytes { Array($0) })])
    }

    /// An RGB frame of environment `index`.
    public func render(index: Int = 0) throws -> RGBFrame {
        let frame = try connection.call(.render(.with { $0.handle = handle; $0.envIndex = UInt32(clamping: index) })).render.frame.ndarray()
        guard frame.dtype == .uint8, frame.shape.count == 3, frame.shape[2] == 3 else {
            throw GymError(.malformed, "render returned \(frame.dtype) \(frame.shape), expected uint8 [H, W, 3]")
        }
        guard let image = RGBFrame(width: frame.shape[1], height: frame.shape[0], pixels: frame.bytes) else {
            throw GymError(.malformed, "render returned \(frame.bytes.count) bytes for shape \(frame.shape)")
        }
        return image
    }

    /// Closes the batch on the daemon.
    public func close() throws {
        guard !closed else { return }
        closed = true
        _ = try connection.call(.close(.with { $0.handle = handle }))
    }

    static func infos(_ wire: [Gym_V1_EnvInfo]) throws -> [Int: ValueMap] {
        var result: [Int: ValueMap] = [:]
        for entry in wire { result[Int(entry.envIndex)] = try entry.info.valueMap() }
        return result
    }
}
