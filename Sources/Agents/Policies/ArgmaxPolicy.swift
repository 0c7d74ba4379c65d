import NeuralNet

/// Greedy actions as the argmax of a network's outputs, one forward pass per batch: what a Q
/// network and the greedy side of a softmax policy both are. Saved as the network's state dict
/// (PyTorch `nn.Sequential` names) with its sizes and activation, under the subclass's kind.
public class ArgmaxPolicy: GreedyPolicy {
    /// The network: observation in, one score per action out.
    public let network: MLP
    private let kind: String

    init(network: MLP, kind: String) {
        self.network = network
        self.kind = kind
    }

    /// The network's input width.
    public var observationSize: Int { network.sizes.first ?? 0 }
    /// The network's output width.
    public var actionCount: Int { network.sizes.last ?? 0 }

    /// One forward pass over the whole batch.
    public func greedyActions(_ observations: [Float], count: Int) -> [Int] {
        network.predict(Tensor(shape: [count, observationSize], data: observations)).argmax()
    }

    /// The network's state dict, sizes and activation.
    public var checkpoint: PolicyCheckpoint {
        PolicyCheckpoint(kind: kind, tensors: network.stateDict(),
                         structure: ["activation": .string(network.activation.hyperparameterText), "sizes": .ints(network.sizes)])
    }
}
