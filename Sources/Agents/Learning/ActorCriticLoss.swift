import NeuralNet

/// The advantage actor-critic loss on a batch of experience:
/// `L = −mean(log π(a|s) · A) + c_v · mean((V(s) − G)²) − c_e · mean(H[π(·|s)])`,
/// with the advantages `A` and the return targets `G` computed beforehand (n-step returns,
/// GAE, ...). A2C takes one gradient step on it per rollout; asynchronous workers compute its
/// gradient on their own rollouts and hand it to the shared parameters.
public struct ActorCriticLoss: Sendable {
    /// Weight of the value regression `c_v`.
    public var valueCoefficient: Float
    /// Weight of the entropy bonus `c_e`.
    public var entropyCoefficient: Float

    /// The loss with the given weights.
    public init(valueCoefficient: Float = 0.5, entropyCoefficient: Float = 0.01) {
        self.valueCoefficient = valueCoefficient
        self.entropyCoefficient = entropyCoefficient
    }

    /// The loss's terms, each a graph value.
    public struct Terms {
        /// What to back-propagate.
        public let total: Variable
        /// `−mean(log π(a|s) · A)`.
        public let policy: Variable
        /// `mean((V(s) − G)²)`.
        public let value: Variable
        /// `mean(H)`.
        public let entropy: Variable
    }

    /// Builds the loss on `graph` for `count` rows: raw observations back to back, actions as a
    /// rollout stores them, return targets and advantages.
    public func callAsFunction(_ network: ActorCriticNetwork, graph: Graph, observations: [Float], actions: [Float],
                               returns: [Float], advantages: [Float], count: Int) -> Terms {
        let (policy, value) = network(graph.constant(network.input(observations, count: count)))
        let logProbability = policy.logProbability(of: actions, count: count)
        let policyLoss = -(logProbability * graph.constant(Tensor(shape: [count], data: advantages))).mean()
        let valueLoss = Loss.mse(value, target: Tensor(shape: [count], data: returns))
        let entropy = policy.meanEntropy
        let total = policyLoss + valueLoss * valueCoefficient - entropy * entropyCoefficient
        return Terms(total: total, policy: policyLoss, value: valueLoss, entropy: entropy)
    }
}
