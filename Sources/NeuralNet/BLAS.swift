import CBLAS

/// Thin wrapper over OpenBLAS's `cblas_sgemm` for row-major Float32 matrices.
enum BLAS {
    /// Set once, on first use of any product, by a lazily initialised global (thread-safe in Swift).
    ///
    /// Debian's libopenblas-dev is the pthread build, which splits even small products
    /// across threads. The matrices here (batches of tens to hundreds of rows, layers of
    /// a few hundred units) are too small to repay the hand-off between threads, and on a
    /// 2-core machine shared with an environment server the extra thread competes with the
    /// simulator, so products run on the calling thread only.
    private static let singleThreaded: Bool = {
        openblas_set_num_threads(1)
        return true
    }()

    /// C = alpha * op(A) * op(B) + beta * C, with op(A) m×k, op(B) k×n, all row-major.
    @inline(__always)
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                     a: UnsafePointer<Float>?, lda: Int, b: UnsafePointer<Float>?, ldb: Int,
                     beta: Float, c: UnsafeMutablePointer<Float>?, ldc: Int) {
        _ = singleThreaded
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            // BLAS leaves C untouched when k is 0 only if beta is 1; make the empty sum explicit.
            if beta != 1, let c {
                for i in 0..<m { for j in 0..<n { c[i * ldc + j] *= beta } }
            }
            return
        }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(max(lda, 1)), b, Int32(max(ldb, 1)),
                    beta, c, Int32(max(ldc, 1)))
    }
}
