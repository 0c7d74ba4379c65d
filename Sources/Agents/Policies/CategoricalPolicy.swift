import NeuralNet

/// The greedy side of a softmax policy: the action with the largest logit
/// (the most probable one). What REINFORCE, A2C and PPO save for `Discrete` spaces.
public final class CategoricalPolicy: GreedyPolicy {
    /// The actor: raw observation in, one logit per action out.
    public let network: MLP

    /// Wraps an actor network.
    public init(network: MLP) { self.network = network }

    /// The network's input width.
    public var observationSize: Int { network.sizes.first ?? 0 }
    /// The network's output width.
    public var actionCount: Int { network.sizes.last ?? 0 }

    /// One forward pass over the whole batch.
    public func greedyActions(_ observations: [Float], count: Int) -> [Int] {
        network.predict(Tensor(shape: [count, observationSize], data: observations)).argmax()
    }

    /// The actor's state dict (PyTorch `nn.Sequential` names) and activation.
    public var checkpoint: PolicyCheckpoint {
        PolicyCheckpoint(kind: Self.kind, tensors: network.stateDict(),
                         structure: ["activation": .string(QNetworkPolicy.name(of: network.activation)), "sizes": .ints(network.sizes)])
    }

    /// The checkpoint kind.
    public static let kind = "categorical_policy"
}
