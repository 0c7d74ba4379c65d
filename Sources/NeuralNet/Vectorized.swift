// Explicit 8-wide SIMD helpers for the hot elementwise loops.
//
// The auto-vectoriser gives up on loops over several raw pointers that may alias, or whose
// bodies branch, so the loops that dominate a training step (optimizer updates, activation
// gradients) are written with SIMD8 chunks and a scalar tail doing the same IEEE operations,
// which keeps results identical whichever path an element takes.

/// The SIMD width used by the chunked loops.
let simdWidth = 8

@inline(__always)
func load8(_ p: UnsafePointer<Float>, _ k: Int) -> SIMD8<Float> {
    UnsafeRawPointer(p + k).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
func load8(_ p: UnsafeMutablePointer<Float>, _ k: Int) -> SIMD8<Float> {
    UnsafeRawPointer(p + k).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
func store8(_ value: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, _ k: Int) {
    UnsafeMutableRawPointer(p + k).storeBytes(of: value, as: SIMD8<Float>.self)
}

/// Lane-wise `a·b + c` rounded once (see `fusedMultiplyAdd`).
@inline(__always)
func fusedMultiplyAdd(_ a: SIMD8<Float>, _ b: SIMD8<Float>, _ c: SIMD8<Float>) -> SIMD8<Float> {
    narrow(widen(a) * widen(b) + widen(c))
}

// Lane-by-lane conversions: the generic SIMD conversion initialisers are not lowered to packed
// conversions and cost twice as much as these, which the optimiser turns into cvtps2pd/cvtpd2ps.

@inline(__always)
func widen(_ a: SIMD8<Float>) -> SIMD8<Double> {
    SIMD8<Double>(Double(a[0]), Double(a[1]), Double(a[2]), Double(a[3]),
                  Double(a[4]), Double(a[5]), Double(a[6]), Double(a[7]))
}

@inline(__always)
func narrow(_ a: SIMD8<Double>) -> SIMD8<Float> {
    SIMD8<Float>(Float(a[0]), Float(a[1]), Float(a[2]), Float(a[3]),
                 Float(a[4]), Float(a[5]), Float(a[6]), Float(a[7]))
}
