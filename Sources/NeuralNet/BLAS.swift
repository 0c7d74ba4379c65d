import CBLAS
import Foundation

/// Thin wrapper over OpenBLAS's `cblas_sgemm` for row-major Float32 matrices.
enum BLAS {
    /// One-time OpenBLAS setup, run on first use of any product by a lazily initialised
    /// global (which Swift makes thread-safe).
    private static let configured: Bool = {
        selectKernelsForUnrecognisedCPU()
        // Debian's libopenblas-dev is the pthread build, which splits even small products
        // across threads. The matrices here (batches of tens to hundreds of rows, layers of
        // a few hundred units) are too small to repay the hand-off between threads, and on a
        // 2-core machine shared with an environment server the extra thread competes with the
        // simulator, so products run on the calling thread only.
        openblas_set_num_threads(1)
        return true
    }()

    /// Name of the kernel set OpenBLAS chose (e.g. "SkylakeX", "Haswell", "Prescott").
    static var coreName: String {
        _ = configured
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// Re-runs OpenBLAS's kernel selection when it fell back to its generic SSE3 ("Prescott")
    /// kernels on a CPU it does not know but that has AVX2/AVX-512.
    ///
    /// Debian bookworm ships OpenBLAS 0.3.21, whose runtime dispatch predates recent Xeons
    /// (e.g. family 6 model 207) and silently picks Prescott there, making sgemm 3–5× slower.
    /// OpenBLAS's documented override is the `OPENBLAS_CORETYPE` environment variable, but it is
    /// read when the library loads, before any Swift code runs; so, only when it is unset and the
    /// fallback happened, set it from the CPU's flags and re-run the library's exported
    /// `gotoblas_dynamic_quit`/`gotoblas_dynamic_init` pair, which reads it again.
    private static func selectKernelsForUnrecognisedCPU() {
        guard getenv("OPENBLAS_CORETYPE") == nil,
              let current = openblas_get_corename(), String(cString: current) == "Prescott",
              let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flagsLine = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        let core: String
        if flags.isSuperset(of: ["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"]) {
            core = "SkylakeX"
        } else if flags.isSuperset(of: ["avx2", "fma"]) {
            core = "Haswell"
        } else {
            return
        }
        // Looked up at run time rather than linked: only DYNAMIC_ARCH builds export them.
        typealias Hook = @convention(c) () -> Void
        guard let program = dlopen(nil, RTLD_NOW),
              let quit = dlsym(program, "gotoblas_dynamic_quit"),
              let reinit = dlsym(program, "gotoblas_dynamic_init") else { return }
        setenv("OPENBLAS_CORETYPE", core, 0)
        unsafeBitCast(quit, to: Hook.self)()
        unsafeBitCast(reinit, to: Hook.self)()
    }

    /// C = alpha * op(A) * op(B) + beta * C, with op(A) m×k, op(B) k×n, all row-major.
    @inline(__always)
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                     a: UnsafePointer<Float>?, lda: Int, b: UnsafePointer<Float>?, ldb: Int,
                     beta: Float, c: UnsafeMutablePointer<Float>?, ldc: Int) {
        _ = configured
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
