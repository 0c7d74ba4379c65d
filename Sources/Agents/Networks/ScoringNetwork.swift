import NeuralNet

/// A network from encoded observations to one score per action: what a Q network is, whether
/// dense layers (`MLP`) or a convolutional torso with a dense head (`ImageQNetwork`).
public protocol ScoringNetwork: Module {
    /// Floats in one encoded observation.
    var inputSize: Int { get }
    /// Scores per observation.
    var outputSize: Int { get }
    /// The scores of a batch (`[rows, inputSize]`) as graph operations: `[rows, outputSize]`.
    func scores(_ observations: Tensor, on graph: Graph) -> Variable
    /// The scores of a batch outside any graph (acting, target values).
    func predict(_ observations: Tensor) -> Tensor
    /// What a saved policy records to rebuild the architecture.
    var structure: [String: MetadataValue] { get }
    /// An independent copy with the same parameter values.
    func copied() -> any ScoringNetwork
}

extension MLP: ScoringNetwork {
    /// The first layer's input width.
    public var inputSize: Int { sizes.first ?? 0 }
    /// The last layer's output width.
    public var outputSize: Int { sizes.last ?? 0 }

    /// The forward pass on the batch as a constant input.
    public func scores(_ observations: Tensor, on graph: Graph) -> Variable { forward(graph.constant(observations)) }

    /// The sizes and the activation.
    public var structure: [String: MetadataValue] {
        ["activation": .string(activation.hyperparameterText), "sizes": .ints(sizes)]
    }

    /// A copy of every layer.
    public func copied() -> any ScoringNetwork {
        MLP(layers: layers.map { Dense(weight: $0.weight.value, bias: $0.bias?.value) }, activation: activation,
            outputActivation: outputActivation)
    }
}
