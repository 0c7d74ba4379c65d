/// A multilayer perceptron: dense layers with an activation between them.
///
/// Parameter names follow a PyTorch `nn.Sequential(Linear, act, Linear, act, ..., Linear)`,
/// so layer `i` is called `"\(2 * i).weight"` / `"\(2 * i).bias"` and checkpoints line up
/// with a PyTorch model built the same way.
public final class MLP: Module {
    /// The dense layers, input side first.
    public let layers: [Dense]
    /// The activation after every layer but the last.
    public let activation: Activation
    /// The activation after the last layer (identity by default).
    public let outputActivation: Activation

    /// Creates an MLP with layer sizes `sizes` (input first, output last), e.g. `[4, 256, 256, 2]`.
    public init(sizes: [Int], activation: Activation = .relu, outputActivation: Activation = .identity,
                initialization: InitializationScheme = .pytorchDefault, rng: inout SeededRNG) {
        precondition(sizes.count >= 2, "an MLP needs at least an input and an output size")
        var layers: [Dense] = []
        let count = sizes.count - 1
        for i in 0..<count {
            layers.append(Dense(inputSize: sizes[i], outputSize: sizes[i + 1],
                                initialization: initialization.initialization(layer: i, of: count), rng: &rng))
        }
        self.layers = layers
        self.activation = activation
        self.outputActivation = outputActivation
    }

    /// Creates an MLP from existing layers.
    public init(layers: [Dense], activation: Activation = .relu, outputActivation: Activation = .identity) {
        precondition(!layers.isEmpty, "an MLP needs at least one layer")
        for (a, b) in zip(layers, layers.dropFirst()) {
            precondition(a.outputSize == b.inputSize, "layer sizes do not chain")
        }
        self.layers = layers
        self.activation = activation
        self.outputActivation = outputActivation
    }

    /// Layer sizes, input first.
    public var sizes: [Int] { [layers[0].inputSize] + layers.map(\.outputSize) }

    /// Parameters named as in the equivalent PyTorch `nn.Sequential`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        var out: [(name: String, parameter: Parameter)] = []
        for (i, layer) in layers.enumerated() {
            for (name, p) in layer.namedParameters { out.append(("\(2 * i).\(name)", p)) }
        }
        return out
    }

    /// The forward pass on a batch, as graph operations.
    public func callAsFunction(_ x: Variable) -> Variable { forward(x) }

    /// The forward pass on a batch, as graph operations.
    public func forward(_ x: Variable) -> Variable {
        var h = x
        for (i, layer) in layers.enumerated() {
            h = layer(h)
            h = i == layers.count - 1 ? outputActivation(h) : activation(h)
        }
        return h
    }

    /// The forward pass on a `[batch, in]` or `[in]` tensor without recording a graph (acting, evaluation).
    public func predict(_ x: Tensor) -> Tensor {
        var h = x
        for (i, layer) in layers.enumerated() {
            h = layer.apply(h)
            h = (i == layers.count - 1 ? outputActivation : activation).apply(h)
        }
        return h
    }
}
