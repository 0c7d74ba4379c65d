import NeuralNet

/// A network on images: a convolutional torso (`MinAtarCNN` or `NatureCNN`), then dense layers
/// to one score per action. A Q network ends the torso with one layer, as the MinAtar paper's and
/// the Nature DQN's do; the greedy side of an actor-critic keeps its own hidden layers too.
///
/// Parameters are named `torso.` plus the torso's PyTorch names, then `head.0.weight`,
/// `head.0.bias`, `head.2.weight`, … as an `nn.Sequential(Linear, act, Linear, …)` names them.
public final class ConvolutionalNetwork: ScoringNetwork {
    /// What the torso is and how observations reach it.
    public let design: ConvolutionalTorso
    /// The convolutional torso.
    public let torso: any ImageTorso
    /// The dense layers after it; the last gives the scores.
    public let layers: [Dense]
    /// The activation between dense layers (none after the last).
    public let activation: Activation
    /// Where acting and target values run, away from any training graph.
    private let predictionGraph = Graph()

    /// A network of `design` giving `outputSize` scores through `hiddenSizes` dense layers,
    /// initialised as PyTorch's defaults.
    public init(design: ConvolutionalTorso, hiddenSizes: [Int] = [], outputSize: Int, activation: Activation = .relu,
                rng: inout SeededRNG) throws(AgentError) {
        self.design = design
        let torso = try design.build(rng: &rng)
        let sizes = [torso.outputSize] + hiddenSizes + [outputSize]
        layers = zip(sizes, sizes.dropFirst()).map { Dense(inputSize: $0, outputSize: $1, rng: &rng) }
        self.torso = torso
        self.activation = activation
    }

    /// A network from an existing torso and dense layers (their values are shared, not copied).
    init(design: ConvolutionalTorso, torso: any ImageTorso, layers: [Dense], activation: Activation) {
        precondition(!layers.isEmpty && layers[0].inputSize == torso.outputSize, "the dense layers must read the torso's features")
        self.design = design
        self.torso = torso
        self.layers = layers
        self.activation = activation
    }

    /// Floats in one observation as it arrives.
    public var inputSize: Int { design.image.count }
    /// Scores per observation.
    public var outputSize: Int { layers[layers.count - 1].outputSize }

    /// The torso's parameters, then the dense layers'.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        var out = torso.namedParameters.map { (name: "torso.\($0.name)", parameter: $0.parameter) }
        for (index, layer) in layers.enumerated() {
            out += layer.namedParameters.map { ("head.\(2 * index).\($0.name)", $0.parameter) }
        }
        return out
    }

    /// The scores of a batch of observations (arrival layout) as graph operations.
    public func scores(_ observations: Tensor, on graph: Graph) -> Variable {
        let rows = observations.shape.first ?? 0
        let input = observations.data.withUnsafeBufferPointer { design.image.input($0, rows: rows) }
        var h = torso(graph.images(input, shape: design.image.shape))
        for (index, layer) in layers.enumerated() {
            h = layer(h)
            if index < layers.count - 1 { h = activation(h) }
        }
        return h
    }

    /// The scores of a batch outside any training graph.
    public func predict(_ observations: Tensor) -> Tensor {
        predictionGraph.reset()
        return scores(observations, on: predictionGraph).value
    }

    /// The torso's kind, the image reading and the activation.
    public var structure: [String: MetadataValue] {
        design.structure.merging(["activation": .string(activation.hyperparameterText)]) { $1 }
    }

    /// A network of the same design with copies of the values.
    public func copied() -> any ScoringNetwork {
        var rng = SeededRNG(seed: 0)
        // The design built this network's torso already, so building it again cannot fail.
        guard let torso = try? design.build(rng: &rng) else { preconditionFailure("rebuilding a \(design.kind) torso") }
        torso.copy(from: self.torso)
        return ConvolutionalNetwork(design: design, torso: torso, layers: layers.map { Dense(weight: $0.weight.value, bias: $0.bias?.value) },
                                    activation: activation)
    }
}
