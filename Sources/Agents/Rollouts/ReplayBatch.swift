import NeuralNet

/// A minibatch drawn from a `ReplayBuffer`, in tensors ready for a network.
public struct ReplayBatch: Sendable {
    /// `[size, observationSize]`.
    public var observations: Tensor
    /// `[size, actionSize]`.
    public var actions: Tensor
    /// `[size]`.
    public var rewards: [Float]
    /// `[size, observationSize]`.
    public var nextObservations: Tensor
    /// `[size]`: 1 where the transition reached a terminal state.
    public var terminated: [Float]

    /// Number of transitions.
    public var size: Int { rewards.count }

    /// The first action element of each transition as an index (discrete actions).
    public var actionIndices: [Int] { actions.data.map { Int($0) } }
}
