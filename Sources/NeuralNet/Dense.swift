/// A fully connected layer, `y = x·Wᵀ + b`, with PyTorch's layout: weight `[out, in]`, bias `[out]`.
public final class Dense: Module {
    /// The `[out, in]` weight matrix.
    public let weight: Parameter
    /// The `[out]` bias, if the layer has one.
    public let bias: Parameter?

    /// The number of input features.
    public var inputSize: Int { weight.shape[1] }
    /// The number of output features.
    public var outputSize: Int { weight.shape[0] }

    /// Creates a layer with randomly initialised parameters.
    public init(inputSize: Int, outputSize: Int, hasBias: Bool = true,
                initialization: Initialization = .pytorchDefault, rng: inout SeededRNG) {
        precondition(inputSize > 0 && outputSize > 0, "layer sizes must be positive")
        let (w, b) = initialization.draw(inputSize: inputSize, outputSize: outputSize, rng: &rng)
        weight = Parameter(w)
        bias = hasBias ? Parameter(b) : nil
    }

    /// Creates a layer from given values (weight `[out, in]`, bias `[out]`).
    public init(weight: Tensor, bias: Tensor?) {
        precondition(weight.rank == 2, "weight must be [out, in]")
        if let bias { precondition(bias.shape == [weight.shape[0]], "bias must be [out]") }
        self.weight = Parameter(weight)
        self.bias = bias.map { Parameter($0) }
    }

    /// The parameters as PyTorch names them inside a `Linear`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        var out: [(name: String, parameter: Parameter)] = [("weight", weight)]
        if let bias { out.append(("bias", bias)) }
        return out
    }

    /// Applies the layer as a graph operation (one fused sgemm plus bias).
    public func callAsFunction(_ x: Variable) -> Variable {
        x.linear(weight: weight, bias: bias)
    }

    /// Applies the layer to a `[rows, in]` (or `[in]`) tensor outside any graph.
    public func apply(_ x: Tensor) -> Tensor {
        let (rows, cols) = x.matrixShape
        precondition(x.rank >= 1 && x.rank <= 2 && cols == inputSize,
                     "input shape \(x.shape) does not fit a layer of \(inputSize) inputs")
        let outShape = x.rank == 1 ? [outputSize] : [rows, outputSize]
        var y = Tensor.zeros(outShape)
        let n = outputSize, k = inputSize
        y.data.withUnsafeMutableBufferPointer { yb in
            guard let out = yb.baseAddress else { return }
            if let bias {
                Graph.withValue(of: bias) { b in
                    for i in 0..<rows { (out + i * n).update(from: b, count: n) }
                }
            }
            x.data.withUnsafeBufferPointer { xb in
                Graph.withValue(of: weight) { w in
                    BLAS.gemm(transA: false, transB: true, m: rows, n: n, k: k, a: xb.baseAddress, lda: k,
                              b: w, ldb: k, beta: bias == nil ? 0 : 1, c: out, ldc: n)
                }
            }
        }
        return y
    }
}
