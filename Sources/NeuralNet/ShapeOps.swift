// Operations that move elements: gather along axis 1 and concatenation along axis 1.

extension Variable {
    /// Picks `self[i, indices[i]]` from each row of a 2-D value, giving shape `[rows]`
    /// (PyTorch's `x.gather(1, idx.unsqueeze(1)).squeeze(1)`, e.g. Q(s, a) from Q(s, ·)).
    public func gather(indices: [Int]) -> Variable { graph.gather(self, indices: indices) }

    /// Concatenates 2-D values with equal row counts along axis 1 (side by side).
    public static func concat(_ parts: [Variable], axis: Int = 1) -> Variable {
        precondition(axis == 1, "concatenation is along axis 1")
        precondition(!parts.isEmpty, "nothing to concatenate")
        return parts[0].graph.concat(parts)
    }
}

extension Graph {
    func gather(_ x: Variable, indices: [Int]) -> Variable {
        let nx = node(x)
        precondition(nx.rank == 2, "gather needs a 2-D value")
        precondition(indices.count == nx.rows, "gather needs one index per row (\(nx.rows)), got \(indices.count)")
        precondition(indices.allSatisfy { $0 >= 0 && $0 < nx.cols }, "gather index out of range 0..<\(nx.cols)")
        let id = makeNode(.gather(x.id, indices), rank: 1, rows: 1, cols: nx.rows, requiresGrad: nx.requiresGrad)
        let out = nodes[id].value, cols = nx.cols
        withValue(x.id) { px in
            for (i, j) in indices.enumerated() { out[i] = px[i * cols + j] }
        }
        return Variable(graph: self, id: id)
    }

    func backwardGather(_ n: Node, x: Int, indices: [Int]) {
        let g = n.grad, cols = nodes[x].cols
        withGrad(x) { gx in
            for (i, j) in indices.enumerated() { gx[i * cols + j] += g[i] }
        }
    }

    func concat(_ parts: [Variable]) -> Variable {
        let ns = parts.map { node($0) }
        let rows = ns[0].rows
        precondition(ns.allSatisfy { $0.rank == 2 && $0.rows == rows }, "concat needs 2-D values with equal rows")
        let cols = ns.reduce(0) { $0 + $1.cols }
        let id = makeNode(.concat(parts.map(\.id)), rank: 2, rows: rows, cols: cols,
                          requiresGrad: ns.contains { $0.requiresGrad })
        let out = nodes[id].value
        var offset = 0
        for (part, n) in zip(parts, ns) {
            let pc = n.cols
            withValue(part.id) { px in
                for i in 0..<rows { (out + i * cols + offset).update(from: px + i * pc, count: pc) }
            }
            offset += pc
        }
        return Variable(graph: self, id: id)
    }

    func backwardConcat(_ n: Node, inputs: [Int]) {
        let g = n.grad, rows = n.rows, cols = n.cols
        var offset = 0
        for input in inputs {
            let pc = nodes[input].cols
            withGrad(input) { gx in
                for i in 0..<rows {
                    for j in 0..<pc { gx[i * pc + j] += g[i * cols + offset + j] }
                }
            }
            offset += pc
        }
    }
}
