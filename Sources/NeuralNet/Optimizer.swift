/// A first-order optimizer that updates a fixed list of parameters in place from their gradients.
public protocol Optimizer: AnyObject {
    /// The parameters updated by `step()`.
    var parameters: [Parameter] { get }
    /// The learning rate (may be changed between steps, e.g. by a schedule).
    ///
    /// Hyperparameters are doubles, as PyTorch's are Python floats: factors derived from them
    /// (`1 − β`, bias corrections, `lr·wd`) then round to the same float32 values torch uses.
    var learningRate: Double { get set }
    /// Applies one update from the parameters' current gradients.
    func step()
}

extension Optimizer {
    /// Sets every parameter's gradient to zero (call before each backward pass).
    public func zeroGrad() {
        for p in parameters { p.zeroGrad() }
    }
}

extension Parameter {
    /// Runs `body` with the value (mutable) and gradient (read-only) as raw buffers.
    @inline(__always)
    func withValueAndGrad(_ body: (UnsafeMutablePointer<Float>, UnsafePointer<Float>, Int) -> Void) {
        precondition(grad.count == value.count, "parameter gradient has the wrong size")
        grad.data.withUnsafeBufferPointer { g in
            value.data.withUnsafeMutableBufferPointer { v in
                if let vb = v.baseAddress, let gb = g.baseAddress { body(vb, gb, v.count) }
            }
        }
    }
}

/// Zero-filled optimizer state with one buffer per parameter.
func zeroState(for parameters: [Parameter]) -> [[Float]] {
    parameters.map { [Float](repeating: 0, count: $0.value.count) }
}

/// Runs `body` with a mutable pointer to one optimizer state buffer.
@inline(__always)
func withState(_ state: inout [[Float]], _ i: Int, _ body: (UnsafeMutablePointer<Float>) -> Void) {
    state[i].withUnsafeMutableBufferPointer { b in
        if let base = b.baseAddress { body(base) }
    }
}

