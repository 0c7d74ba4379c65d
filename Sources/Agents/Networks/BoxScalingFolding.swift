import GymCore
import NeuralNet

extension BoxScaling {
    /// A copy of `layer` that reads raw values instead of normalised ones:
    /// `W ((x − c) / h) + b = (W / h) x + (b − W (c / h))`, column by column. A saved discrete
    /// policy is then a plain `nn.Sequential` on raw observations. A clipping map does not fold.
    public func folded(into layer: Dense) -> Dense {
        precondition(clip == nil, "a clipping scaling cannot be folded into a layer")
        var weight = layer.weight.value
        let (rows, cols) = weight.matrixShape
        precondition(cols == size, "the layer reads \(cols) features, the scaling has \(size)")
        var bias = layer.bias?.value ?? Tensor.zeros([rows])
        for row in 0..<rows {
            for col in 0..<cols {
                weight[row, col] /= halfWidth[col]
                bias.data[row] -= weight[row, col] * center[col]
            }
        }
        return Dense(weight: weight, bias: bias)
    }
}

extension BoxScaling {
    /// Normalises the features of a Box `space` with finite bounds into [−1, 1] (the identity
    /// for the others, and for a space that is not a Box).
    public init(observations space: Space) {
        guard case .box(let low, let high, let shape, _) = space else {
            self = .identity(ObservationEncoding.featureWidth(of: space))
            return
        }
        let size = shape.reduce(1, *)
        // A Box may give one bound for every element.
        func expand(_ bounds: [Double]) -> [Double] { bounds.count == size ? bounds : Array(repeating: bounds.first ?? .nan, count: size) }
        self.init(low: expand(low), high: expand(high))
    }
}
