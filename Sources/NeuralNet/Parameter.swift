/// A trainable tensor together with its accumulated gradient.
///
/// A reference type so that a layer, the graph that reads it and the optimizer that
/// updates it all see the same storage, and updates happen in place.
public final class Parameter {
    /// The current value.
    public var value: Tensor
    /// The gradient accumulated by `Graph.backward`, same shape as `value`.
    public var grad: Tensor

    /// Creates a parameter with the given initial value and a zero gradient.
    public init(_ value: Tensor) {
        self.value = value
        self.grad = Tensor.zeros(value.shape)
    }

    /// The parameter's shape.
    public var shape: [Int] { value.shape }

    /// Sets the gradient to zero without reallocating it.
    public func zeroGrad() {
        grad.data.withUnsafeMutableBufferPointer { g in
            g.update(repeating: 0)
        }
    }
}
