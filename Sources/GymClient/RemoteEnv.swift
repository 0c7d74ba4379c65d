import GymCore

/// One environment on a daemon, with Gymnasium's single-env semantics: `reset` starts an
/// episode, `step` returns `(observation, reward, terminated, truncated, info)`, and stepping
/// after the end is an error until the next `reset`.
public final class RemoteEnv {
    /// The batch of one underneath.
    public let batch: RemoteVectorEnv
    /// The environment's spec as the daemon reported it.
    public var spec: EnvSpec { batch.spec }

    /// What `step` returns.
    public struct Step {
        /// One array per observation leaf, shaped as the leaf.
        public var observation: [NDArray]
        public var reward: Double
        public var terminated: Bool
        public var truncated: Bool
        public var info: ValueMap
    }

    /// Makes the environment on the daemon.
    public init(connection: GymConnection, id: String, kwargs: ValueMap = [:], maxEpisodeSteps: Int? = nil) throws {
        batch = try RemoteVectorEnv(connection: connection, id: id, count: 1, kwargs: kwargs,
                                    maxEpisodeSteps: maxEpisodeSteps, autoreset: .disabled)
    }

    /// Starts an episode; a seed makes it reproducible.
    public func reset(seed: UInt64? = nil, options: ValueMap = [:]) throws -> (observation: [NDArray], info: ValueMap) {
        let reply = try batch.reset(seeds: seed.map { [$0] } ?? [], options: options)
        return (reply.observations.map(Self.unbatched), reply.infos[0] ?? [:])
    }

    /// Applies one action (one array per action leaf, shaped as the leaf).
    public func step(_ action: [NDArray]) throws -> Step {
        let batched = action.map { NDArray(dtype: $0.dtype, shape: [1] + $0.shape, bytes: $0.bytes) }
        let reply = try batch.step(batched)
        return Step(observation: reply.observations.map(Self.unbatched), reward: reply.rewards.first ?? 0,
                    terminated: reply.terminated.first ?? false, truncated: reply.truncated.first ?? false,
                    info: reply.infos[0] ?? [:])
    }

    /// Applies a `Discrete` action.
    public func step(discrete action: Int64) throws -> Step {
        try step([NDArray(dtype: .int64, shape: [], values: [Double(action)])])
    }

    /// Applies a float32 `Box` action.
    public func step(box action: [Float]) throws -> Step {
        try step([NDArray(dtype: .float32, shape: spec.actionSpace.shape, bytes: action.withUnsafeBytes { Array($0) })])
    }

    /// An RGB frame of the current state.
    public func render() throws -> RGBFrame { try batch.render(index: 0) }

    /// Closes the environment on the daemon.
    public func close() throws { try batch.close() }

    private static func unbatched(_ array: NDArray) -> NDArray {
        NDArray(dtype: array.dtype, shape: Array(array.shape.dropFirst()), bytes: array.bytes)
    }
}
