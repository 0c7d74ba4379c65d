import GymCore
import NeuralNet

/// An affine map of observations, `x ↦ x ⊙ scale + shift`, that takes a Box's finite bounds to
/// [−1, 1] and leaves unbounded features alone.
///
/// Features of very different ranges (MountainCar's position spans 1.8, its velocity 0.14)
/// otherwise train at very different speeds. Being affine, the map folds into the first
/// layer of a network, so a saved policy reads raw observations.
public struct ObservationScaling: Sendable, Equatable {
    /// Factor per feature.
    public let scale: [Float]
    /// Offset per feature, added after scaling.
    public let shift: [Float]

    /// The identity on `size` features.
    public init(identity size: Int) {
        self.init(scale: Array(repeating: 1, count: size), shift: Array(repeating: 0, count: size))
    }

    /// The map `x ↦ x ⊙ scale + shift`.
    public init(scale: [Float], shift: [Float]) {
        precondition(scale.count == shift.count, "one scale and one shift per feature")
        self.scale = scale
        self.shift = shift
    }

    /// Maps each feature with finite bounds in `space` to [−1, 1]; the identity for the others
    /// (and for a space that is not a Box).
    public init(bounds space: Space) {
        guard case .box(let low, let high, let shape, _) = space else {
            self.init(identity: space.elementCount)
            return
        }
        let size = shape.reduce(1, *)
        var scale = [Float](repeating: 1, count: size)
        var shift = [Float](repeating: 0, count: size)
        for index in 0..<size {
            let lo = low.count == size ? low[index] : low.first ?? -.infinity
            let hi = high.count == size ? high[index] : high.first ?? .infinity
            // Very wide finite bounds (float32's max stands for "unbounded" in Gymnasium) are left alone too.
            guard lo.isFinite, hi.isFinite, hi > lo, hi - lo < 1e6 else { continue }
            let half = (hi - lo) / 2
            scale[index] = Float(1 / half)
            shift[index] = Float(-(lo + half) / half)
        }
        self.init(scale: scale, shift: shift)
    }

    /// Features per observation.
    public var size: Int { scale.count }

    /// `count` observations laid out back to back, scaled, as a `[count, size]` tensor.
    public func apply(_ observations: [Float], count: Int) -> Tensor {
        var data = observations
        for index in data.indices {
            let feature = index % size
            data[index] = data[index] * scale[feature] + shift[feature]
        }
        return Tensor(shape: [count, size], data: data)
    }

    /// A copy of `layer` that reads raw observations: `W (x ⊙ s + c) + b = (W diag s) x + (W c + b)`.
    public func folded(into layer: Dense) -> Dense {
        var weight = layer.weight.value
        let (rows, cols) = weight.matrixShape
        precondition(cols == size, "the layer reads \(cols) features, the scaling has \(size)")
        var bias = layer.bias?.value ?? Tensor.zeros([rows])
        for row in 0..<rows {
            for col in 0..<cols {
                bias.data[row] += weight[row, col] * shift[col]
                weight[row, col] *= scale[col]
            }
        }
        return Dense(weight: weight, bias: bias)
    }
}
