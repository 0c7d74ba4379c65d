import Foundation

/// The activation functions a layer stack can use between (or after) dense layers.
public enum Activation: Sendable, Equatable {
    /// No activation: the identity.
    case identity
    /// `max(0, x)`.
    case relu
    /// `x` for positive inputs, `alpha * (e^x - 1)` otherwise.
    case elu(alpha: Float)
    /// Hyperbolic tangent.
    case tanh
    /// Logistic sigmoid.
    case sigmoid
    /// Row-wise softmax over the last axis.
    case softmax
    /// Row-wise log-softmax over the last axis.
    case logSoftmax

    /// ELU with PyTorch's default `alpha = 1`.
    public static let elu = Activation.elu(alpha: 1)

    /// Applies the activation as a graph operation.
    public func callAsFunction(_ x: Variable) -> Variable {
        switch self {
        case .identity: return x
        case .relu: return x.relu()
        case .elu(let alpha): return x.elu(alpha: alpha)
        case .tanh: return x.tanh()
        case .sigmoid: return x.sigmoid()
        case .softmax: return x.softmax()
        case .logSoftmax: return x.logSoftmax()
        }
    }

    /// Applies the activation in place to a row-major matrix, outside any graph
    /// (the inference path, computing exactly what the graph computes).
    func apply(inPlace p: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
        let count = rows * cols
        switch self {
        case .identity: break
        case .relu: ActivationKernels.relu(p, p, count)
        case .elu(let alpha): ActivationKernels.elu(p, p, count, alpha: alpha)
        case .tanh: ActivationKernels.tanh(p, p, count)
        case .sigmoid: ActivationKernels.sigmoid(p, p, count)
        case .softmax: ActivationKernels.softmaxRows(p, p, rows: rows, cols: cols)
        case .logSoftmax: ActivationKernels.logSoftmaxRows(p, p, rows: rows, cols: cols)
        }
    }

    /// Applies the activation to a tensor (rank ≤ 2 for the row-wise ones), outside any graph.
    public func apply(_ x: Tensor) -> Tensor {
        var y = x
        let (r, c) = x.matrixShape
        y.data.withUnsafeMutableBufferPointer { buf in
            if let base = buf.baseAddress { apply(inPlace: base, rows: r, cols: c) }
        }
        return y
    }
}

extension Variable {
    /// Elementwise `max(0, x)`; gradient 0 at 0, as PyTorch.
    public func relu() -> Variable { graph.unary(.relu, self) }
    /// Elementwise hyperbolic tangent.
    public func tanh() -> Variable { graph.unary(.tanh, self) }
    /// Elementwise logistic sigmoid, computed without overflow for large |x|.
    public func sigmoid() -> Variable { graph.unary(.sigmoid, self) }
    /// Elementwise ELU: `x` if `x > 0`, else `alpha * (e^x - 1)`.
    public func elu(alpha: Float = 1) -> Variable { graph.elu(self, alpha: alpha) }
    /// Softmax along the last axis (each row sums to 1), shifted by the row maximum for stability.
    public func softmax() -> Variable { graph.rowwise(self, log: false) }
    /// Log-softmax along the last axis, as `x - max - log(sum(exp(x - max)))` for stability.
    public func logSoftmax() -> Variable { graph.rowwise(self, log: true) }
}

extension Graph {
    func elu(_ x: Variable, alpha: Float) -> Variable {
        precondition(alpha > 0, "ELU's gradient is computed from its output, which needs alpha > 0")
        let nx = node(x)
        let id = makeNode(.elu(x.id, alpha: alpha), shape: nx.nodeShape, requiresGrad: nx.requiresGrad)
        let out = nodes[id].value
        withValue(x.id) { ActivationKernels.elu($0, out, nx.count, alpha: alpha) }
        return Variable(graph: self, id: id)
    }

    func backwardELU(_ n: Node, x: Int, alpha: Float) {
        // For x <= 0, d/dx alpha(e^x - 1) = alpha e^x = y + alpha; y > 0 exactly when x > 0.
        let g = n.grad, y = n.value, count = n.count
        withGrad(x) { gx in
            for k in 0..<count { gx[k] += y[k] > 0 ? g[k] : g[k] * (y[k] + alpha) }
        }
    }

    func rowwise(_ x: Variable, log: Bool) -> Variable {
        let nx = node(x)
        let op: Op = log ? .logSoftmax(x.id) : .softmax(x.id)
        let id = makeNode(op, shape: nx.nodeShape, requiresGrad: nx.requiresGrad)
        let out = nodes[id].value
        withValue(x.id) { px in
            if log {
                ActivationKernels.logSoftmaxRows(px, out, rows: nx.rows, cols: nx.cols)
            } else {
                ActivationKernels.softmaxRows(px, out, rows: nx.rows, cols: nx.cols)
            }
        }
        return Variable(graph: self, id: id)
    }

    func backwardSoftmax(_ n: Node, x: Int) {
        // dx = y * (g - <g, y>) row by row.
        let g = n.grad, y = n.value, rows = n.rows, cols = n.cols
        withGrad(x) { gx in
            for i in 0..<rows {
                let o = i * cols
                var dot: Float = 0
                for j in 0..<cols { dot += g[o + j] * y[o + j] }
                for j in 0..<cols { gx[o + j] += y[o + j] * (g[o + j] - dot) }
            }
        }
    }

    func backwardLogSoftmax(_ n: Node, x: Int) {
        // dx = g - softmax * sum(g), with softmax = e^y row by row.
        let g = n.grad, y = n.value, rows = n.rows, cols = n.cols
        withGrad(x) { gx in
            for i in 0..<rows {
                let o = i * cols
                var s: Float = 0
                for j in 0..<cols { s += g[o + j] }
                for j in 0..<cols { gx[o + j] += g[o + j] - Foundation.exp(y[o + j]) * s }
            }
        }
    }
}
