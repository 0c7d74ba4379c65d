import NeuralNet

/// A critic `Q(s, a)`: dense ReLU layers over the observation, with the action joining the
/// features at layer `actionLayer` (0: concatenated with the observation at the input, as TD3
/// and SAC do; 1: concatenated with the first hidden layer's output, as the DDPG paper does).
///
/// Parameters are named `layers.i.weight` / `layers.i.bias`, layer 0 first.
public final class ActionValueNetwork: Module {
    /// The dense layers; the last gives one value.
    public let layers: [Dense]
    /// Where the action joins (0 or 1).
    public let actionLayer: Int

    /// A critic over `observationSize` features and `actionSize` action floats, with hidden widths `hiddenSizes`.
    public init(observationSize: Int, actionSize: Int, hiddenSizes: [Int], actionLayer: Int,
                initialization: InitializationScheme, rng: inout SeededRNG) {
        precondition(!hiddenSizes.isEmpty && actionLayer >= 0 && actionLayer < hiddenSizes.count, "the action joins a hidden layer's input")
        let count = hiddenSizes.count + 1
        var inputs = [observationSize] + hiddenSizes
        inputs[actionLayer] += actionSize
        let outputs = hiddenSizes + [1]
        layers = (0..<count).map { index in
            Dense(inputSize: inputs[index], outputSize: outputs[index],
                  initialization: initialization.initialization(layer: index, of: count), rng: &rng)
        }
        self.actionLayer = actionLayer
    }

    /// Parameters named by layer.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        layers.enumerated().flatMap { index, layer in layer.namedParameters.map { ("layers.\(index).\($0.name)", $0.parameter) } }
    }

    /// `Q(s, a)` for a batch: `[rows, observationSize]` and `[rows, actionSize]` in, `[rows, 1]` out.
    public func callAsFunction(_ observations: Variable, _ actions: Variable) -> Variable {
        var h = observations
        for (index, layer) in layers.enumerated() {
            if index == actionLayer { h = Variable.concat([h, actions]) }
            h = layer(h)
            if index < layers.count - 1 { h = h.relu() }
        }
        return h
    }

    /// `Q(s, a)` for a batch outside any graph (target values): `[rows, 1]`.
    public func predict(_ observations: Tensor, _ actions: Tensor) -> Tensor {
        var h = observations
        for (index, layer) in layers.enumerated() {
            if index == actionLayer { h = Self.joined(h, actions) }
            h = layer.apply(h)
            if index < layers.count - 1 { h = Activation.relu.apply(h) }
        }
        return h
    }

    /// Two `[rows, ·]` tensors side by side.
    private static func joined(_ a: Tensor, _ b: Tensor) -> Tensor {
        let rows = a.shape[0], ac = a.shape[1], bc = b.shape[1]
        var data = [Float]()
        data.reserveCapacity(rows * (ac + bc))
        for row in 0..<rows {
            data.append(contentsOf: a.data[(row * ac)..<((row + 1) * ac)])
            data.append(contentsOf: b.data[(row * bc)..<((row + 1) * bc)])
        }
        return Tensor(shape: [rows, ac + bc], data: data)
    }
}
