/// A dense Float32 tensor stored contiguously in row-major order.
///
/// `Tensor` is a plain value: it carries no gradient and no graph. Differentiable
/// computation happens on `Variable`s inside a `Graph`; tensors are what goes in
/// (inputs, targets) and what comes out (values, state dicts, checkpoints).
public struct Tensor: Sendable, Equatable {
    /// The extent of each dimension; `[]` is a scalar.
    public private(set) var shape: [Int]
    /// The elements in row-major order; `data.count` is the product of `shape`.
    public var data: [Float]

    /// Creates a tensor from a shape and matching row-major data.
    public init(shape: [Int], data: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        precondition(Tensor.elementCount(of: shape) == data.count,
                     "shape \(shape) needs \(Tensor.elementCount(of: shape)) elements, got \(data.count)")
        self.shape = shape
        self.data = data
    }

    /// Creates a tensor of the given shape with every element equal to `value`.
    public init(shape: [Int], repeating value: Float) {
        self.init(shape: shape, data: [Float](repeating: value, count: Tensor.elementCount(of: shape)))
    }

    /// Creates a 2-D tensor from nested rows, which must all have the same length.
    public init(rows: [[Float]]) {
        let cols = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == cols }, "ragged rows")
        self.init(shape: [rows.count, cols], data: rows.flatMap { $0 })
    }

    /// Creates a rank-0 tensor holding one value.
    public init(scalar: Float) {
        self.init(shape: [], data: [scalar])
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 0) }

    /// A tensor of ones.
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 1) }

    /// A tensor with elements drawn uniformly from `[low, high)`.
    public static func uniform(_ shape: [Int], low: Float, high: Float, rng: inout SeededRNG) -> Tensor {
        var t = Tensor.zeros(shape)
        for i in t.data.indices { t.data[i] = rng.nextUniform(low: low, high: high) }
        return t
    }

    /// A tensor with elements drawn from a normal distribution.
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1, rng: inout SeededRNG) -> Tensor {
        var t = Tensor.zeros(shape)
        for i in t.data.indices { t.data[i] = mean + std * rng.nextNormal() }
        return t
    }

    /// The number of elements a shape holds.
    public static func elementCount(of shape: [Int]) -> Int { shape.reduce(1, *) }

    /// The number of elements.
    public var count: Int { data.count }

    /// The number of dimensions.
    public var rank: Int { shape.count }

    /// The value of a tensor with exactly one element.
    public var scalar: Float {
        precondition(data.count == 1, "scalar of a tensor with \(data.count) elements")
        return data[0]
    }

    /// The same data seen with another shape of the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor { Tensor(shape: newShape, data: data) }

    /// Element `(row, col)` of a 2-D tensor.
    public subscript(row: Int, col: Int) -> Float {
        get {
            precondition(rank == 2, "2-D subscript on rank \(rank)")
            return data[row * shape[1] + col]
        }
        set {
            precondition(rank == 2, "2-D subscript on rank \(rank)")
            data[row * shape[1] + col] = newValue
        }
    }

    /// Rows and columns of the tensor seen as a matrix: rank 0 is 1×1, rank 1 is one row,
    /// higher ranks fold every dimension but the last into rows.
    public var matrixShape: (rows: Int, cols: Int) {
        switch shape.count {
        case 0: return (1, 1)
        case 1: return (1, shape[0])
        default:
            let cols = shape[shape.count - 1]
            return (cols == 0 ? 0 : data.count / cols, cols)
        }
    }

    /// The index of the largest element of each row of a 2-D tensor (first one on ties).
    public func argmax(axis: Int = 1) -> [Int] {
        precondition(axis == 1 && rank == 2, "argmax is along axis 1 of a 2-D tensor")
        let (r, c) = matrixShape
        precondition(c > 0, "argmax of empty rows")
        var out = [Int](repeating: 0, count: r)
        data.withUnsafeBufferPointer { p in
            for i in 0..<r {
                var best = p[i * c], bi = 0
                for j in 1..<c where p[i * c + j] > best { best = p[i * c + j]; bi = j }
                out[i] = bi
            }
        }
        return out
    }

    /// The matrix product of two 2-D tensors, optionally transposing either, on `cblas_sgemm`.
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        precondition(rank == 2 && other.rank == 2, "matmul needs 2-D tensors")
        let m = transposeSelf ? shape[1] : shape[0]
        let k = transposeSelf ? shape[0] : shape[1]
        let k2 = transposeOther ? other.shape[1] : other.shape[0]
        let n = transposeOther ? other.shape[0] : other.shape[1]
        precondition(k == k2, "matmul inner dimensions \(k) and \(k2) differ")
        var out = Tensor.zeros([m, n])
        data.withUnsafeBufferPointer { a in
            other.data.withUnsafeBufferPointer { b in
                out.data.withUnsafeMutableBufferPointer { c in
                    BLAS.gemm(transA: transposeSelf, transB: transposeOther, m: m, n: n, k: k,
                              a: a.baseAddress, lda: shape[1], b: b.baseAddress, ldb: other.shape[1],
                              beta: 0, c: c.baseAddress, ldc: n)
                }
            }
        }
        return out
    }

    /// The transpose of a 2-D tensor.
    public func transposed() -> Tensor {
        precondition(rank == 2, "transpose needs a 2-D tensor")
        let r = shape[0], c = shape[1]
        var out = Tensor.zeros([c, r])
        for i in 0..<r { for j in 0..<c { out.data[j * r + i] = data[i * c + j] } }
        return out
    }

    /// Whether every element is within `tolerance` (absolute plus relative) of `other`'s.
    public func isClose(to other: Tensor, relative: Float = 1e-5, absolute: Float = 1e-6) -> Bool {
        guard shape == other.shape else { return false }
        for i in data.indices where abs(data[i] - other.data[i]) > absolute + relative * abs(other.data[i]) {
            return false
        }
        return true
    }
}
