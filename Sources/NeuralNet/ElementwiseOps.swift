import Foundation

// Elementwise operations: broadcasting binary arithmetic, scalar affine maps,
// one-input math functions and clamping.

extension Variable {
    /// Elementwise `e^x`.
    public func exp() -> Variable { graph.unary(.exp, self) }
    /// Elementwise natural logarithm.
    public func log() -> Variable { graph.unary(.log, self) }
    /// Elementwise `x²`.
    public func square() -> Variable { graph.unary(.square, self) }
    /// Elementwise square root.
    public func sqrt() -> Variable { graph.unary(.sqrt, self) }
    /// Elementwise absolute value (gradient 0 at 0, as PyTorch).
    public func abs() -> Variable { graph.unary(.abs, self) }

    /// Elementwise clamp into `[lo, hi]`; the gradient passes where `lo <= x <= hi`, as in PyTorch.
    public func clamped(min lo: Float, max hi: Float) -> Variable {
        precondition(lo <= hi, "clamp bounds \(lo) > \(hi)")
        return graph.clamp(self, lo: lo, hi: hi)
    }

    /// Elementwise minimum with another variable, broadcasting; ties split the gradient evenly (PyTorch).
    public func minimum(_ other: Variable) -> Variable { graph.binary(.minimum, self, other) }

    /// Elementwise maximum with another variable, broadcasting; ties split the gradient evenly (PyTorch).
    public func maximum(_ other: Variable) -> Variable { graph.binary(.maximum, self, other) }
}

/// Runs `body(out, a, b)` over the element indices of a broadcast 2-D loop.
/// Inlined into each caller, so every use compiles to plain nested loops.
@inline(__always)
func forEachBroadcast(rows: Int, cols: Int, _ sa: Strides, _ sb: Strides, _ body: (Int, Int, Int) -> Void) {
    let dense = Strides(row: cols, col: 1)
    if sa == dense && sb == dense {
        for k in 0..<(rows * cols) { body(k, k, k) }
        return
    }
    for i in 0..<rows {
        let o = i * cols, ai = i * sa.row, bi = i * sb.row
        for j in 0..<cols { body(o + j, ai + j * sa.col, bi + j * sb.col) }
    }
}

extension Graph {
    /// The NumPy broadcast of two at-most-2-D shapes and how each input is read.
    static func broadcast(_ a: NodeShape, _ b: NodeShape) -> (NodeShape, Strides, Strides) {
        precondition(a.rows == b.rows || a.rows == 1 || b.rows == 1,
                     "cannot broadcast shapes \(a.dims) and \(b.dims)")
        precondition(a.cols == b.cols || a.cols == 1 || b.cols == 1,
                     "cannot broadcast shapes \(a.dims) and \(b.dims)")
        let rows = a.rows == 1 ? b.rows : a.rows
        let cols = a.cols == 1 ? b.cols : a.cols
        let out = NodeShape(rank: Swift.max(a.rank, b.rank), rows: rows, cols: cols)
        func strides(_ s: NodeShape) -> Strides {
            Strides(row: (s.rows == 1 && rows != 1) ? 0 : s.cols, col: (s.cols == 1 && cols != 1) ? 0 : 1)
        }
        return (out, strides(a), strides(b))
    }

    func binary(_ kind: BinaryKind, _ a: Variable, _ b: Variable) -> Variable {
        let na = node(a), nb = node(b)
        let (shape, sa, sb) = Graph.broadcast(na.nodeShape, nb.nodeShape)
        let id = makeNode(.binary(kind, a.id, b.id, sa, sb), shape: shape,
                          requiresGrad: na.requiresGrad || nb.requiresGrad)
        let out = nodes[id].value
        let r = shape.rows, c = shape.cols
        withValue(a.id) { pa in
            withValue(b.id) { pb in
                switch kind {
                case .add: forEachBroadcast(rows: r, cols: c, sa, sb) { o, i, j in out[o] = pa[i] + pb[j] }
                case .sub: forEachBroadcast(rows: r, cols: c, sa, sb) { o, i, j in out[o] = pa[i] - pb[j] }
                case .mul: forEachBroadcast(rows: r, cols: c, sa, sb) { o, i, j in out[o] = pa[i] * pb[j] }
                case .div: forEachBroadcast(rows: r, cols: c, sa, sb) { o, i, j in out[o] = pa[i] / pb[j] }
                case .minimum:
                    forEachBroadcast(rows: r, cols: c, sa, sb) { o, i, j in out[o] = Swift.min(pa[i], pb[j]) }
                case .maximum:
                    forEachBroadcast(rows: r, cols: c, sa, sb) { o, i, j in out[o] = Swift.max(pa[i], pb[j]) }
                }
            }
        }
        return Variable(graph: self, id: id)
    }

    func backwardBinary(_ n: Node, kind: BinaryKind, a: Int, b: Int, strideA sa: Strides, strideB sb: Strides) {
        let g = n.grad, r = n.rows, c = n.cols
        // Each input's gradient is filled in its own pass, so `x * x` (a == b) never holds
        // two mutable views of one buffer at once.
        withValue(a) { pa in
            withValue(b) { pb in
                withGrad(a) { ga in
                    switch kind {
                    case .add: forEachBroadcast(rows: r, cols: c, sa, sb) { o, i, _ in ga[i] += g[o] }
                    case .sub: forEachBroadcast(rows: r, cols: c, sa, sb) { o, i, _ in ga[i] += g[o] }
                    case .mul: forEachBroadcast(rows: r, cols: c, sa, sb) { o, i, j in ga[i] += g[o] * pb[j] }
                    case .div: forEachBroadcast(rows: r, cols: c, sa, sb) { o, i, j in ga[i] += g[o] / pb[j] }
                    case .minimum:
                        forEachBroadcast(rows: r, cols: c, sa, sb) { o, i, j in
                            ga[i] += pa[i] < pb[j] ? g[o] : (pa[i] == pb[j] ? 0.5 * g[o] : 0)
                        }
                    case .maximum:
                        forEachBroadcast(rows: r, cols: c, sa, sb) { o, i, j in
                            ga[i] += pa[i] > pb[j] ? g[o] : (pa[i] == pb[j] ? 0.5 * g[o] : 0)
                        }
                    }
                }
                withGrad(b) { gb in
                    switch kind {
                    case .add: forEachBroadcast(rows: r, cols: c, sa, sb) { o, _, j in gb[j] += g[o] }
                    case .sub: forEachBroadcast(rows: r, cols: c, sa, sb) { o, _, j in gb[j] -= g[o] }
                    case .mul: forEachBroadcast(rows: r, cols: c, sa, sb) { o, i, j in gb[j] += g[o] * pa[i] }
                    case .div:
                        forEachBroadcast(rows: r, cols: c, sa, sb) { o, i, j in
                            gb[j] -= g[o] * pa[i] / (pb[j] * pb[j])
                        }
                    case .minimum:
                        forEachBroadcast(rows: r, cols: c, sa, sb) { o, i, j in
                            gb[j] += pb[j] < pa[i] ? g[o] : (pa[i] == pb[j] ? 0.5 * g[o] : 0)
                        }
                    case .maximum:
                        forEachBroadcast(rows: r, cols: c, sa, sb) { o, i, j in
                            gb[j] += pb[j] > pa[i] ? g[o] : (pa[i] == pb[j] ? 0.5 * g[o] : 0)
                        }
                    }
                }
            }
        }
    }

    func affine(_ x: Variable, scale: Float, shift: Float) -> Variable {
        let nx = node(x)
        let id = makeNode(.affine(x.id, scale: scale, shift: shift), shape: nx.nodeShape, requiresGrad: nx.requiresGrad)
        let out = nodes[id].value, count = nx.count
        withValue(x.id) { px in
            for k in 0..<count { out[k] = scale * px[k] + shift }
        }
        return Variable(graph: self, id: id)
    }

    func backwardAffine(_ n: Node, x: Int, scale: Float) {
        let g = n.grad, count = n.count
        withGrad(x) { gx in
            for k in 0..<count { gx[k] += scale * g[k] }
        }
    }

    func unary(_ kind: UnaryKind, _ x: Variable) -> Variable {
        let nx = node(x)
        let id = makeNode(.unary(kind, x.id), shape: nx.nodeShape, requiresGrad: nx.requiresGrad)
        let out = nodes[id].value, count = nx.count
        withValue(x.id) { px in
            switch kind {
            case .exp: for k in 0..<count { out[k] = Foundation.exp(px[k]) }
            case .log: for k in 0..<count { out[k] = Foundation.log(px[k]) }
            case .square: for k in 0..<count { out[k] = px[k] * px[k] }
            case .sqrt: for k in 0..<count { out[k] = px[k].squareRoot() }
            case .abs: for k in 0..<count { out[k] = Swift.abs(px[k]) }
            case .tanh: ActivationKernels.tanh(px, out, count)
            case .sigmoid: ActivationKernels.sigmoid(px, out, count)
            case .relu: ActivationKernels.relu(px, out, count)
            }
        }
        return Variable(graph: self, id: id)
    }

    func backwardUnary(_ n: Node, kind: UnaryKind, x: Int) {
        let g = n.grad, y = n.value, count = n.count
        withValue(x) { px in
            withGrad(x) { gx in
                switch kind {
                case .exp: for k in 0..<count { gx[k] += g[k] * y[k] }
                case .log: for k in 0..<count { gx[k] += g[k] / px[k] }
                case .square: for k in 0..<count { gx[k] += 2 * px[k] * g[k] }
                case .sqrt: for k in 0..<count { gx[k] += 0.5 * g[k] / y[k] }
                case .abs:
                    for k in 0..<count { gx[k] += px[k] > 0 ? g[k] : (px[k] < 0 ? -g[k] : 0) }
                case .tanh: for k in 0..<count { gx[k] += g[k] * (1 - y[k] * y[k]) }
                case .sigmoid: for k in 0..<count { gx[k] += g[k] * y[k] * (1 - y[k]) }
                case .relu:
                    // Both operands are loaded before the select so the loop has no branch.
                    var k = 0
                    while k + simdWidth <= count {
                        let gk = load8(g, k)
                        store8(load8(gx, k) + gk.replacing(with: 0, where: load8(y, k) .<= 0), gx, k)
                        k += simdWidth
                    }
                    while k < count {
                        let gk = g[k], yk = y[k]
                        gx[k] += yk <= 0 ? 0 : gk
                        k += 1
                    }
                }
            }
        }
    }

    func clamp(_ x: Variable, lo: Float, hi: Float) -> Variable {
        let nx = node(x)
        let id = makeNode(.clamp(x.id, lo: lo, hi: hi), shape: nx.nodeShape, requiresGrad: nx.requiresGrad)
        let out = nodes[id].value, count = nx.count
        withValue(x.id) { px in
            for k in 0..<count { out[k] = Swift.min(Swift.max(px[k], lo), hi) }
        }
        return Variable(graph: self, id: id)
    }

    func backwardClamp(_ n: Node, x: Int, lo: Float, hi: Float) {
        let g = n.grad, count = n.count
        withValue(x) { px in
            withGrad(x) { gx in
                for k in 0..<count where px[k] >= lo && px[k] <= hi { gx[k] += g[k] }
            }
        }
    }
}
