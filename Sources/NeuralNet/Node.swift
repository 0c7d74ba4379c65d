/// One node of the tape: its operation, shape, and owned value and gradient buffers.
///
/// Buffers are raw allocations rather than arrays so that reusing a node never triggers
/// copy-on-write, and kernels can hold several of them at once without exclusivity checks.
final class Node {
    var op: Op = .constant
    var rank = 0
    var rows = 1
    var cols = 1
    var requiresGrad = false
    private(set) var value: UnsafeMutablePointer<Float>
    private(set) var valueCapacity: Int
    private(set) var grad: UnsafeMutablePointer<Float>
    private(set) var gradCapacity: Int
    /// What an operation keeps from its forward pass for its backward pass (a convolution's
    /// unrolled input), grown on demand and kept when the node is reused.
    let workspace = FloatBuffer()

    init() {
        value = .allocate(capacity: 1)
        valueCapacity = 1
        grad = .allocate(capacity: 1)
        gradCapacity = 0
    }

    deinit {
        value.deallocate()
        grad.deallocate()
    }

    var count: Int { rows * cols }
    var nodeShape: NodeShape { NodeShape(rank: rank, rows: rows, cols: cols) }
    var shape: [Int] { nodeShape.dims }

    var isParameterLeaf: Bool {
        if case .parameter = op { return true }
        return false
    }

    /// Grows the value buffer if this node's shape needs more room than it has.
    func ensureValueCapacity() {
        guard count > valueCapacity else { return }
        value.deallocate()
        valueCapacity = count
        value = .allocate(capacity: valueCapacity)
    }

    /// Grows the gradient buffer if needed; contents are not preserved.
    func ensureGradCapacity() {
        guard count > gradCapacity else { return }
        grad.deallocate()
        gradCapacity = Swift.max(count, 1)
        grad = .allocate(capacity: gradCapacity)
    }
}
