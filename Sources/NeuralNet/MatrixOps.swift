// Matrix products on sgemm: the fused dense-layer product and a general matmul.
// Transposes are never materialised: sgemm reads either operand transposed.

extension Variable {
    /// The matrix product `op(self) · op(other)` of 2-D values, where `op` optionally transposes.
    public func matmul(_ other: Variable, transposeSelf: Bool = false, transposeOther: Bool = false) -> Variable {
        graph.matmul(self, other, transA: transposeSelf, transB: transposeOther)
    }

    /// `self · weightᵀ + bias`, PyTorch's `F.linear`: weight is `[out, in]`, bias `[out]`, self `[rows, in]`.
    public func linear(weight: Parameter, bias: Parameter?) -> Variable {
        graph.linear(self, weight: weight, bias: bias)
    }
}

extension Graph {
    func linear(_ x: Variable, weight: Parameter, bias: Parameter?) -> Variable {
        let nx = node(x)
        precondition(weight.value.rank == 2, "linear weight must be [out, in]")
        let outFeatures = weight.value.shape[0], inFeatures = weight.value.shape[1]
        precondition(nx.cols == inFeatures && nx.rank >= 1,
                     "linear input has \(nx.cols) features, weight expects \(inFeatures)")
        if let bias { precondition(bias.value.count == outFeatures, "bias size \(bias.value.count) != \(outFeatures)") }
        let rows = nx.rows
        let id = makeNode(.linear(x: x.id, weight: weight, bias: bias), rank: nx.rank, rows: rows, cols: outFeatures,
                          requiresGrad: true)
        let out = nodes[id].value
        if let bias {
            // Seed each output row with the bias, then let sgemm add the product (beta = 1).
            Graph.withValue(of: bias) { b in
                for i in 0..<rows { (out + i * outFeatures).update(from: b, count: outFeatures) }
            }
        }
        withValue(x.id) { px in
            Graph.withValue(of: weight) { w in
                BLAS.gemm(transA: false, transB: true, m: rows, n: outFeatures, k: inFeatures,
                          a: px, lda: inFeatures, b: w, ldb: inFeatures,
                          beta: bias == nil ? 0 : 1, c: out, ldc: outFeatures)
            }
        }
        return Variable(graph: self, id: id)
    }

    func backwardLinear(_ n: Node, x: Int, weight: Parameter, bias: Parameter?) {
        let g = n.grad, rows = n.rows, outFeatures = n.cols, inFeatures = nodes[x].cols
        withValue(x) { px in
            // dW += dYᵀ · X
            withGrad(of: weight) { gw in
                BLAS.gemm(transA: true, transB: false, m: outFeatures, n: inFeatures, k: rows,
                          a: g, lda: outFeatures, b: px, ldb: inFeatures, beta: 1, c: gw, ldc: inFeatures)
            }
        }
        if let bias {
            // db += column sums of dY
            withGrad(of: bias) { gb in
                for i in 0..<rows {
                    let gr = g + i * outFeatures
                    for j in 0..<outFeatures { gb[j] += gr[j] }
                }
            }
        }
        // dX += dY · W, skipped for inputs (the usual first layer) that need no gradient.
        withGrad(x) { gx in
            Graph.withValue(of: weight) { w in
                BLAS.gemm(transA: false, transB: false, m: rows, n: inFeatures, k: outFeatures,
                          a: g, lda: outFeatures, b: w, ldb: inFeatures, beta: 1, c: gx, ldc: inFeatures)
            }
        }
    }

    func matmul(_ a: Variable, _ b: Variable, transA: Bool, transB: Bool) -> Variable {
        let na = node(a), nb = node(b)
        precondition(na.rank == 2 && nb.rank == 2, "matmul needs 2-D values")
        let m = transA ? na.cols : na.rows, k = transA ? na.rows : na.cols
        let k2 = transB ? nb.cols : nb.rows, n = transB ? nb.rows : nb.cols
        precondition(k == k2, "matmul inner dimensions \(k) and \(k2) differ")
        let id = makeNode(.matmul(a.id, b.id, transA: transA, transB: transB), rank: 2, rows: m, cols: n,
                          requiresGrad: na.requiresGrad || nb.requiresGrad)
        let out = nodes[id].value
        withValue(a.id) { pa in
            withValue(b.id) { pb in
                BLAS.gemm(transA: transA, transB: transB, m: m, n: n, k: k,
                          a: pa, lda: na.cols, b: pb, ldb: nb.cols, beta: 0, c: out, ldc: n)
            }
        }
        return Variable(graph: self, id: id)
    }

    func backwardMatmul(_ n: Node, a: Int, b: Int, transA: Bool, transB: Bool) {
        // C = op(A) op(B). With G = dC:
        //   dA = G op(B)ᵀ            if A is not transposed, else (G op(B)ᵀ)ᵀ = op(B) Gᵀ
        //   dB = op(A)ᵀ G            if B is not transposed, else Gᵀ op(A)
        let g = n.grad, m = n.rows, cols = n.cols
        let na = nodes[a], nb = nodes[b]
        let k = transA ? na.rows : na.cols
        withValue(b) { pb in
            withGrad(a) { ga in
                if transA {
                    // dA is k×m: op(B) (k×n) · Gᵀ (n×m)
                    BLAS.gemm(transA: transB, transB: true, m: k, n: m, k: cols,
                              a: pb, lda: nb.cols, b: g, ldb: cols, beta: 1, c: ga, ldc: na.cols)
                } else {
                    // dA is m×k: G (m×n) · op(B)ᵀ (n×k)
                    BLAS.gemm(transA: false, transB: !transB, m: m, n: k, k: cols,
                              a: g, lda: cols, b: pb, ldb: nb.cols, beta: 1, c: ga, ldc: na.cols)
                }
            }
        }
        withValue(a) { pa in
            withGrad(b) { gb in
                if transB {
                    // dB is n×k: Gᵀ (n×m) · op(A) (m×k)
                    BLAS.gemm(transA: true, transB: transA, m: cols, n: k, k: m,
                              a: g, lda: cols, b: pa, ldb: na.cols, beta: 1, c: gb, ldc: nb.cols)
                } else {
                    // dB is k×n: op(A)ᵀ (k×m) · G (m×n)
                    BLAS.gemm(transA: !transA, transB: false, m: k, n: cols, k: m,
                              a: pa, lda: na.cols, b: g, ldb: cols, beta: 1, c: gb, ldc: nb.cols)
                }
            }
        }
    }
}
