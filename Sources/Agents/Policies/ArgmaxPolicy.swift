import NeuralNet

/// Greedy actions as the argmax of a network's outputs, one forward pass per batch: what a Q
/// network and the greedy side of a softmax policy both are. Saved as the network's state dict
/// (PyTorch names) with its structure (sizes and activation, or torso and image reading), under
/// the subclass's kind.
public class ArgmaxPolicy: GreedyPolicy {
    /// The network: observation in, one score per action out.
    public let network: any ScoringNetwork
    private let kind: String

    init(network: any ScoringNetwork, kind: String) {
        self.network = network
        self.kind = kind
    }

    /// The network's input width.
    public var observationSize: Int { network.inputSize }
    /// The network's output width.
    public var actionCount: Int { network.outputSize }

    /// One forward pass over the whole batch.
    public func greedyActions(_ observations: [Float], count: Int) -> [Int] {
        network.predict(Tensor(shape: [count, observationSize], data: observations)).argmax()
    }

    /// The network's state dict and structure.
    public var checkpoint: PolicyCheckpoint {
        PolicyCheckpoint(kind: kind, tensors: network.stateDict(), structure: network.structure)
    }
}
