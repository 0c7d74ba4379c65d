// Regression losses with PyTorch's default mean reduction.

/// Loss functions; each returns a rank-0 value ready for `Graph.backward`.
public enum Loss {
    /// Mean squared error, `mean((prediction - target)²)` (PyTorch's `MSELoss`).
    /// Shapes must match exactly: silent broadcasting of `[n]` against `[n, 1]` is a classic bug.
    public static func mse(_ prediction: Variable, _ target: Variable) -> Variable {
        prediction.graph.mse(prediction, target)
    }

    /// Mean squared error against a constant target.
    public static func mse(_ prediction: Variable, target: Tensor) -> Variable {
        mse(prediction, prediction.graph.constant(target))
    }

    /// Huber loss (PyTorch's `HuberLoss`, mean reduction): per element `0.5 d²` if `|d| < delta`,
    /// else `delta (|d| - 0.5 delta)`, with `d = prediction - target`. With `delta = 1` it is smooth L1.
    public static func huber(_ prediction: Variable, _ target: Variable, delta: Float = 1) -> Variable {
        precondition(delta > 0, "Huber delta must be positive")
        return prediction.graph.huber(prediction, target, delta: delta)
    }

    /// Huber loss against a constant target.
    public static func huber(_ prediction: Variable, target: Tensor, delta: Float = 1) -> Variable {
        huber(prediction, prediction.graph.constant(target), delta: delta)
    }
}

extension Graph {
    private func checkLossShapes(_ p: Variable, _ t: Variable) -> (Node, Node) {
        let np = node(p), nt = node(t)
        precondition(np.nodeShape == nt.nodeShape, "loss shapes differ: \(np.shape) vs \(nt.shape)")
        return (np, nt)
    }

    func mse(_ p: Variable, _ t: Variable) -> Variable {
        let (np, nt) = checkLossShapes(p, t)
        let id = makeNode(.mse(p.id, t.id), rank: 0, rows: 1, cols: 1, requiresGrad: np.requiresGrad || nt.requiresGrad)
        let count = np.count
        let total: Double = withValue(p.id) { pp in
            withValue(t.id) { pt in
                var s = 0.0
                for k in 0..<count {
                    let d = pp[k] - pt[k]
                    s += Double(d * d)
                }
                return s
            }
        }
        nodes[id].value[0] = Float(total / Double(Swift.max(count, 1)))
        return Variable(graph: self, id: id)
    }

    func backwardMSE(_ n: Node, prediction p: Int, target t: Int) {
        let count = nodes[p].count
        let scale = 2 * n.grad[0] / Float(Swift.max(count, 1))
        withValue(p) { pp in
            withValue(t) { pt in
                withGrad(p) { gp in
                    for k in 0..<count { gp[k] += scale * (pp[k] - pt[k]) }
                }
                withGrad(t) { gt in
                    for k in 0..<count { gt[k] -= scale * (pp[k] - pt[k]) }
                }
            }
        }
    }

    func huber(_ p: Variable, _ t: Variable, delta: Float) -> Variable {
        let (np, nt) = checkLossShapes(p, t)
        let id = makeNode(.huber(p.id, t.id, delta: delta), rank: 0, rows: 1, cols: 1,
                          requiresGrad: np.requiresGrad || nt.requiresGrad)
        let count = np.count
        let total: Double = withValue(p.id) { pp in
            withValue(t.id) { pt in
                var s = 0.0
                for k in 0..<count {
                    let d = pp[k] - pt[k], a = Swift.abs(d)
                    s += Double(a < delta ? 0.5 * d * d : delta * (a - 0.5 * delta))
                }
                return s
            }
        }
        nodes[id].value[0] = Float(total / Double(Swift.max(count, 1)))
        return Variable(graph: self, id: id)
    }

    func backwardHuber(_ n: Node, prediction p: Int, target t: Int, delta: Float) {
        let count = nodes[p].count
        let scale = n.grad[0] / Float(Swift.max(count, 1))
        withValue(p) { pp in
            withValue(t) { pt in
                // d/dd of the Huber term is d clipped to [-delta, delta].
                withGrad(p) { gp in
                    for k in 0..<count { gp[k] += scale * Swift.min(Swift.max(pp[k] - pt[k], -delta), delta) }
                }
                withGrad(t) { gt in
                    for k in 0..<count { gt[k] -= scale * Swift.min(Swift.max(pp[k] - pt[k], -delta), delta) }
                }
            }
        }
    }
}
