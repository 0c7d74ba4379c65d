/// How a dense layer's weights and bias are drawn.
public enum Initialization: Sendable, Equatable {
    /// PyTorch's `nn.Linear` default: `kaiming_uniform_(a=√5)` for the weight, which works out to
    /// U(-1/√fan_in, 1/√fan_in), and the same bound for the bias.
    case pytorchDefault
    /// Uniform in `[-bound, bound]` for weight and bias (e.g. DDPG's final layer, bound 3e-3).
    case uniform(bound: Float)

    /// Draws a `[out, in]` weight and `[out]` bias, weight first (PyTorch's order).
    public func draw(inputSize: Int, outputSize: Int, rng: inout SeededRNG) -> (weight: Tensor, bias: Tensor) {
        let bound: Float
        switch self {
        case .pytorchDefault: bound = Initialization.fanInBound(inputSize)
        case .uniform(let b): bound = b
        }
        let weight = Tensor.uniform([outputSize, inputSize], low: -bound, high: bound, rng: &rng)
        let bias = Tensor.uniform([outputSize], low: -bound, high: bound, rng: &rng)
        return (weight, bias)
    }

    /// `1/√fan_in`, the bound both PyTorch's default and DDPG's hidden layers use.
    ///
    /// kaiming_uniform with a = √5 has gain √(2/(1+5)) = 1/√3 and bound gain·√3/√fan_in = 1/√fan_in.
    public static func fanInBound(_ fanIn: Int) -> Float {
        fanIn > 0 ? 1 / Float(fanIn).squareRoot() : 0
    }
}
