import NeuralNet

/// Greedy actions from a Q network: `argmax_a Q(s, a)`.
public final class QNetworkPolicy: GreedyPolicy {
    /// The network, observation in, one Q value per action out.
    public let network: MLP

    /// Wraps a network.
    public init(network: MLP) { self.network = network }

    /// The network's input width.
    public var observationSize: Int { network.sizes.first ?? 0 }
    /// The network's output width.
    public var actionCount: Int { network.sizes.last ?? 0 }

    /// One forward pass over the whole batch.
    public func greedyActions(_ observations: [Float], count: Int) -> [Int] {
        network.predict(Tensor(shape: [count, observationSize], data: observations)).argmax()
    }

    /// The network's state dict, PyTorch `nn.Sequential` names, plus its activation.
    public var checkpoint: PolicyCheckpoint {
        PolicyCheckpoint(kind: "q_network", tensors: network.stateDict(),
                         structure: ["activation": .string(Self.name(of: network.activation)), "sizes": .ints(network.sizes)])
    }

    /// The activations a saved network may use, by name.
    static let activations: [String: Activation] = ["relu": .relu, "tanh": .tanh, "elu": .elu, "sigmoid": .sigmoid]

    static func name(of activation: Activation) -> String {
        activations.first { $0.value == activation }?.key ?? "relu"
    }
}
