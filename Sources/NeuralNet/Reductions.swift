// Reductions: over all elements, and along axis 1 (across each row's columns).

extension Variable {
    /// The sum of all elements, as a rank-0 value.
    public func sum() -> Variable { graph.sumAll(self, mean: false) }
    /// The mean of all elements, as a rank-0 value.
    public func mean() -> Variable { graph.sumAll(self, mean: true) }

    /// The sum along `axis` (only 1, the last axis of a 2-D value): shape `[rows]`, or `[rows, 1]` with `keepDim`.
    public func sum(axis: Int, keepDim: Bool = false) -> Variable {
        graph.sumRows(self, axis: axis, mean: false, keepDim: keepDim)
    }

    /// The mean along `axis` (only 1): shape `[rows]`, or `[rows, 1]` with `keepDim`.
    public func mean(axis: Int, keepDim: Bool = false) -> Variable {
        graph.sumRows(self, axis: axis, mean: true, keepDim: keepDim)
    }

    /// The maximum along `axis` (only 1): shape `[rows]`, or `[rows, 1]` with `keepDim`.
    /// The gradient goes to the first maximal element of each row.
    public func max(axis: Int, keepDim: Bool = false) -> Variable {
        graph.maxRows(self, axis: axis, keepDim: keepDim)
    }
}

extension Graph {
    /// The shape of a per-row result of a `rows × cols` value.
    private static func rowResultShape(_ s: NodeShape, keepDim: Bool) -> NodeShape {
        keepDim ? NodeShape(rank: 2, rows: s.rows, cols: 1) : NodeShape(rank: 1, rows: 1, cols: s.rows)
    }

    func sumAll(_ x: Variable, mean: Bool) -> Variable {
        let nx = node(x)
        let id = makeNode(.sum(x.id, mean: mean), rank: 0, rows: 1, cols: 1, requiresGrad: nx.requiresGrad)
        let count = nx.count
        // Accumulate in double: a large batch of float32 terms loses digits otherwise.
        let total: Double = withValue(x.id) { px in
            var s = 0.0
            for k in 0..<count { s += Double(px[k]) }
            return s
        }
        nodes[id].value[0] = Float(mean ? total / Double(Swift.max(count, 1)) : total)
        return Variable(graph: self, id: id)
    }

    func backwardSum(_ n: Node, x: Int, mean: Bool) {
        let count = nodes[x].count
        let g = mean ? n.grad[0] / Float(Swift.max(count, 1)) : n.grad[0]
        withGrad(x) { gx in
            for k in 0..<count { gx[k] += g }
        }
    }

    func sumRows(_ x: Variable, axis: Int, mean: Bool, keepDim: Bool) -> Variable {
        let nx = node(x)
        precondition(axis == 1 && nx.rank == 2, "reductions along an axis are along axis 1 of a 2-D value")
        let shape = Graph.rowResultShape(nx.nodeShape, keepDim: keepDim)
        let id = makeNode(.sumRows(x.id, mean: mean), shape: shape, requiresGrad: nx.requiresGrad)
        let out = nodes[id].value, rows = nx.rows, cols = nx.cols
        let scale: Float = mean ? 1 / Float(Swift.max(cols, 1)) : 1
        withValue(x.id) { px in
            for i in 0..<rows {
                var s: Float = 0
                for j in 0..<cols { s += px[i * cols + j] }
                out[i] = s * scale
            }
        }
        return Variable(graph: self, id: id)
    }

    func backwardSumRows(_ n: Node, x: Int, mean: Bool) {
        let g = n.grad, rows = nodes[x].rows, cols = nodes[x].cols
        let scale: Float = mean ? 1 / Float(Swift.max(cols, 1)) : 1
        withGrad(x) { gx in
            for i in 0..<rows {
                let gi = g[i] * scale
                for j in 0..<cols { gx[i * cols + j] += gi }
            }
        }
    }

    func maxRows(_ x: Variable, axis: Int, keepDim: Bool) -> Variable {
        let nx = node(x)
        precondition(axis == 1 && nx.rank == 2, "reductions along an axis are along axis 1 of a 2-D value")
        precondition(nx.cols > 0, "max of empty rows")
        let shape = Graph.rowResultShape(nx.nodeShape, keepDim: keepDim)
        let id = makeNode(.maxRows(x.id), shape: shape, requiresGrad: nx.requiresGrad)
        let out = nodes[id].value, rows = nx.rows, cols = nx.cols
        withValue(x.id) { px in
            for i in 0..<rows { out[i] = px[i * cols + Graph.argmaxRow(px + i * cols, cols)] }
        }
        return Variable(graph: self, id: id)
    }

    func backwardMaxRows(_ n: Node, x: Int) {
        // The winning column is found again rather than stored: it costs one pass over
        // the input and keeps the node free of per-op side buffers.
        let g = n.grad, rows = nodes[x].rows, cols = nodes[x].cols
        withValue(x) { px in
            withGrad(x) { gx in
                for i in 0..<rows { gx[i * cols + Graph.argmaxRow(px + i * cols, cols)] += g[i] }
            }
        }
    }

    @inline(__always)
    static func argmaxRow(_ p: UnsafePointer<Float>, _ cols: Int) -> Int {
        var best = p[0], bi = 0
        for j in 1..<Swift.max(cols, 1) where p[j] > best {
            best = p[j]
            bi = j
        }
        return bi
    }
}
