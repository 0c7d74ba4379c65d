import Foundation

/// Forward kernels shared by graph operations and the graph-free inference path.
/// Source and destination may be the same buffer.
enum ActivationKernels {
    @inline(__always)
    static func relu(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        var k = 0
        while k + simdWidth <= n {
            let xk = load8(x, k)
            store8(xk.replacing(with: 0, where: xk .<= 0), y, k)
            k += simdWidth
        }
        while k < n {
            let xk = x[k]
            y[k] = xk <= 0 ? 0 : xk  // NaN passes through, as in the SIMD lanes and PyTorch
            k += 1
        }
    }

    @inline(__always)
    static func tanh(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        for k in 0..<n { y[k] = Foundation.tanh(x[k]) }
    }

    @inline(__always)
    static func sigmoid(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        for k in 0..<n {
            let v = x[k]
            // Only ever exponentiate a non-positive number, so nothing overflows.
            if v >= 0 {
                y[k] = 1 / (1 + Foundation.exp(-v))
            } else {
                let e = Foundation.exp(v)
                y[k] = e / (1 + e)
            }
        }
    }

    @inline(__always)
    static func elu(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, alpha: Float) {
        for k in 0..<n { y[k] = x[k] > 0 ? x[k] : alpha * Foundation.expm1(x[k]) }
    }

    static func softmaxRows(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
        guard cols > 0 else { return }
        for i in 0..<rows {
            let xr = x + i * cols, yr = y + i * cols
            var m = xr[0]
            for j in 1..<cols { m = Swift.max(m, xr[j]) }
            var s: Float = 0
            for j in 0..<cols {
                let e = Foundation.exp(xr[j] - m)
                yr[j] = e
                s += e
            }
            let inv = 1 / s
            for j in 0..<cols { yr[j] *= inv }
        }
    }

    static func logSoftmaxRows(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
        guard cols > 0 else { return }
        for i in 0..<rows {
            let xr = x + i * cols, yr = y + i * cols
            var m = xr[0]
            for j in 1..<cols { m = Swift.max(m, xr[j]) }
            var s: Float = 0
            for j in 0..<cols { s += Foundation.exp(xr[j] - m) }
            // (x - m) - log s, not x - (m + log s): m + log s would round at the scale of m.
            let logSum = Foundation.log(s)
            for j in 0..<cols { yr[j] = (xr[j] - m) - logSum }
        }
    }
}
