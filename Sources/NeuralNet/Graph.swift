/// A record of differentiable operations (a tape), evaluated eagerly as they are added.
///
/// Each operation computes its value at once and appends one node; `backward(_:)`
/// walks the nodes in reverse and fills the gradients of every node that depends on a
/// `Parameter`, accumulating parameter gradients into `Parameter.grad`.
///
/// A graph is meant to be reused: `reset()` forgets the nodes but keeps their buffers,
/// so a training loop that builds the same shapes every step allocates nothing after the
/// first step. `Variable`s from before a `reset()` must not be used afterwards.
///
/// Graph values are at most 2-D: rank 0 (scalars), rank 1 (`[n]`, treated as one row
/// when broadcasting, as NumPy does) and rank 2 (`[rows, cols]`).
public final class Graph {
    /// Node storage; entries past `nodeCount` are kept only for their buffers.
    var nodes: [Node] = []
    /// The number of live nodes.
    public private(set) var nodeCount = 0
    /// Scratch space a kernel needs only while it runs (convolution products and their
    /// gradients), shared by all nodes since the passes run one node at a time.
    let scratch = (first: FloatBuffer(), second: FloatBuffer())

    /// Parameters whose gradients `backward` leaves alone, by identity.
    private var frozen: Set<ObjectIdentifier> = []

    /// Creates an empty graph.
    public init() {}

    /// Forgets every node and every frozen parameter while keeping the buffers for the next pass.
    public func reset() {
        nodeCount = 0
        frozen.removeAll(keepingCapacity: true)
    }

    /// Until the next `reset()`, `backward` accumulates nothing into these parameters' gradients,
    /// though gradients still flow through them to what they read (PyTorch's
    /// `requires_grad_(False)`): an actor's step through a critic it does not update.
    public func freeze(_ parameters: [Parameter]) {
        for parameter in parameters { frozen.insert(ObjectIdentifier(parameter)) }
    }

    /// Adds a constant input (no gradient flows into it); its data is copied.
    public func constant(_ tensor: Tensor) -> Variable {
        precondition(tensor.rank <= 2, "graph values are at most 2-D, got \(tensor.shape)")
        let (r, c) = tensor.matrixShape
        let id = makeNode(.constant, rank: tensor.rank, rows: r, cols: c, requiresGrad: false)
        let out = nodes[id].value
        tensor.data.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { out.update(from: base, count: src.count) }
        }
        return Variable(graph: self, id: id)
    }

    /// Adds a parameter as a leaf; `backward` accumulates its gradient into `parameter.grad`.
    public func parameter(_ parameter: Parameter) -> Variable {
        precondition(parameter.value.rank <= 2, "graph values are at most 2-D, got \(parameter.shape)")
        let (r, c) = parameter.value.matrixShape
        let id = makeNode(.parameter(parameter), rank: parameter.value.rank, rows: r, cols: c, requiresGrad: true)
        return Variable(graph: self, id: id)
    }

    /// A copy of a node's current value.
    public func value(of v: Variable) -> Tensor {
        checkOwnership(v)
        let n = nodes[v.id]
        if case .parameter(let p) = n.op { return p.value }
        return Tensor(shape: n.shape, data: Array(UnsafeBufferPointer(start: n.value, count: n.count)))
    }

    /// A copy of a node's gradient after `backward`, or nil if no gradient reached it.
    /// For a parameter leaf this is the parameter's accumulated gradient.
    public func gradient(of v: Variable) -> Tensor? {
        checkOwnership(v)
        let n = nodes[v.id]
        guard n.requiresGrad else { return nil }
        if case .parameter(let p) = n.op { return p.grad }
        guard n.gradCapacity >= n.count else { return nil }
        return Tensor(shape: n.shape, data: Array(UnsafeBufferPointer(start: n.grad, count: n.count)))
    }

    /// Back-propagates from a one-element `loss`, accumulating into `Parameter.grad`.
    ///
    /// Intermediate gradients are recomputed from zero on every call; parameter gradients
    /// add up across calls (as in PyTorch), so zero them between optimizer steps.
    public func backward(_ loss: Variable) {
        checkOwnership(loss)
        let root = nodes[loss.id]
        precondition(root.count == 1, "backward needs a one-element loss, got shape \(root.shape)")
        guard root.requiresGrad else { return }
        for i in 0...loss.id {
            let n = nodes[i]
            guard n.requiresGrad, !n.isParameterLeaf else { continue }
            n.ensureGradCapacity()
            n.grad.update(repeating: 0, count: n.count)
        }
        root.grad[0] = 1
        for i in stride(from: loss.id, through: 0, by: -1) where nodes[i].requiresGrad {
            backwardNode(nodes[i])
        }
    }

    // MARK: - Internals shared by the operation files

    /// Appends a node, reusing a retired node's buffers when there is one.
    func makeNode(_ op: Op, rank: Int, rows: Int, cols: Int, requiresGrad: Bool) -> Int {
        let node: Node
        if nodeCount < nodes.count {
            node = nodes[nodeCount]
        } else {
            node = Node()
            nodes.append(node)
        }
        node.op = op
        node.rank = rank
        node.rows = rows
        node.cols = cols
        node.requiresGrad = requiresGrad
        node.ensureValueCapacity()
        nodeCount += 1
        return nodeCount - 1
    }

    /// Appends a node whose shape is that of a `shape` value.
    func makeNode(_ op: Op, shape: NodeShape, requiresGrad: Bool) -> Int {
        makeNode(op, rank: shape.rank, rows: shape.rows, cols: shape.cols, requiresGrad: requiresGrad)
    }

    func checkOwnership(_ v: Variable) {
        precondition(v.graph === self, "variable belongs to another graph")
        precondition(v.id < nodeCount, "variable is stale: its graph was reset")
    }

    func node(_ v: Variable) -> Node {
        checkOwnership(v)
        return nodes[v.id]
    }

    /// Runs `body` with a pointer to a node's value, wherever it lives.
    @inline(__always)
    func withValue<R>(_ id: Int, _ body: (UnsafePointer<Float>) -> R) -> R {
        let n = nodes[id]
        if case .parameter(let p) = n.op { return Graph.withValue(of: p, body) }
        return body(n.value)
    }

    /// Runs `body` with a pointer to a node's gradient, or does nothing if it needs none.
    @inline(__always)
    func withGrad(_ id: Int, _ body: (UnsafeMutablePointer<Float>) -> Void) {
        let n = nodes[id]
        guard n.requiresGrad else { return }
        if case .parameter(let p) = n.op {
            withGrad(of: p, body)
        } else {
            body(n.grad)
        }
    }

    @inline(__always)
    static func withValue<R>(of p: Parameter, _ body: (UnsafePointer<Float>) -> R) -> R {
        p.value.data.withUnsafeBufferPointer { buf in body(buf.baseAddress ?? UnsafePointer(emptyBuffer)) }
    }

    /// Runs `body` with a pointer to a parameter's gradient, or does nothing if it is frozen.
    @inline(__always)
    func withGrad(of p: Parameter, _ body: (UnsafeMutablePointer<Float>) -> Void) {
        if !frozen.isEmpty, frozen.contains(ObjectIdentifier(p)) { return }
        Graph.withGrad(of: p, body)
    }

    @inline(__always)
    static func withGrad(of p: Parameter, _ body: (UnsafeMutablePointer<Float>) -> Void) {
        precondition(p.grad.count == p.value.count, "parameter gradient has the wrong size")
        p.grad.data.withUnsafeMutableBufferPointer { buf in body(buf.baseAddress ?? emptyBuffer) }
    }

    /// Stands in for the base address of an empty array, which the loops never read.
    nonisolated(unsafe) static let emptyBuffer = UnsafeMutablePointer<Float>.allocate(capacity: 1)

    /// Dispatches one node's backward pass to the file that owns its operation.
    private func backwardNode(_ n: Node) {
        switch n.op {
        case .constant, .parameter:
            break
        case let .linear(x, weight, bias):
            backwardLinear(n, x: x, weight: weight, bias: bias)
        case let .conv2d(x, geometry, weight, bias):
            backwardConv2D(n, x: x, geometry: geometry, weight: weight, bias: bias)
        case let .matmul(a, b, transA, transB):
            backwardMatmul(n, a: a, b: b, transA: transA, transB: transB)
        case let .binary(kind, a, b, sa, sb):
            backwardBinary(n, kind: kind, a: a, b: b, strideA: sa, strideB: sb)
        case let .affine(x, scale, _):
            backwardAffine(n, x: x, scale: scale)
        case let .unary(kind, x):
            backwardUnary(n, kind: kind, x: x)
        case let .clamp(x, lo, hi):
            backwardClamp(n, x: x, lo: lo, hi: hi)
        case let .elu(x, alpha):
            backwardELU(n, x: x, alpha: alpha)
        case let .softmax(x):
            backwardSoftmax(n, x: x)
        case let .logSoftmax(x):
            backwardLogSoftmax(n, x: x)
        case let .sum(x, mean):
            backwardSum(n, x: x, mean: mean)
        case let .sumRows(x, mean):
            backwardSumRows(n, x: x, mean: mean)
        case let .maxRows(x):
            backwardMaxRows(n, x: x)
        case let .gather(x, indices):
            backwardGather(n, x: x, indices: indices)
        case let .concat(inputs):
            backwardConcat(n, inputs: inputs)
        case let .mse(p, t):
            backwardMSE(n, prediction: p, target: t)
        case let .huber(p, t, delta):
            backwardHuber(n, prediction: p, target: t, delta: delta)
        }
    }
}
