// Chunked SIMD loops for the hot elementwise code (optimizer updates, activation gradients).
//
// The auto-vectoriser gives up on loops over several raw pointers that may alias, or whose
// bodies branch, so these loops are written once, generic over `FloatLanes`, and run as
// 8-wide SIMD chunks followed by a scalar tail. Both paths perform the same IEEE operations
// per element, so the result does not depend on which path an element takes.

import CVectorMath

/// A scalar or SIMD vector of floats, so one kernel body serves the SIMD loop and its scalar tail.
protocol FloatLanes {
    /// How many floats one value holds.
    static var width: Int { get }
    init(repeating value: Float)
    static func load(_ p: UnsafePointer<Float>, _ k: Int) -> Self
    func store(_ p: UnsafeMutablePointer<Float>, _ k: Int)
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    static func / (a: Self, b: Self) -> Self
    /// The correctly rounded square root of every lane.
    func root() -> Self
    /// `a·b + c` rounded once (see `fusedMultiplyAdd`).
    static func fused(_ a: Self, _ b: Self, _ c: Self) -> Self
}

extension Float: FloatLanes {
    static var width: Int { 1 }
    init(repeating value: Float) { self = value }
    @inline(__always) static func load(_ p: UnsafePointer<Float>, _ k: Int) -> Float { p[k] }
    @inline(__always) func store(_ p: UnsafeMutablePointer<Float>, _ k: Int) { p[k] = self }
    @inline(__always) static func fused(_ a: Float, _ b: Float, _ c: Float) -> Float { fusedMultiplyAdd(a, b, c) }
    @inline(__always) func root() -> Float { squareRoot() }
}

extension SIMD8: FloatLanes where Scalar == Float {
    static var width: Int { 8 }
    @inline(__always) static func load(_ p: UnsafePointer<Float>, _ k: Int) -> SIMD8<Float> {
        UnsafeRawPointer(p + k).loadUnaligned(as: SIMD8<Float>.self)
    }
    @inline(__always) func store(_ p: UnsafeMutablePointer<Float>, _ k: Int) {
        UnsafeMutableRawPointer(p + k).storeBytes(of: self, as: SIMD8<Float>.self)
    }
    @inline(__always) static func fused(_ a: SIMD8<Float>, _ b: SIMD8<Float>, _ c: SIMD8<Float>) -> SIMD8<Float> {
        narrow(widen(a) * widen(b) + widen(c))
    }
    /// One vector instruction, where `squareRoot()` would call `sqrtf` for each lane.
    @inline(__always) func root() -> SIMD8<Float> { gym_sqrt8(self) }
}

/// The SIMD width used by the chunked loops.
let simdWidth = 8

@inline(__always)
func load8(_ p: UnsafePointer<Float>, _ k: Int) -> SIMD8<Float> { .load(p, k) }

@inline(__always)
func load8(_ p: UnsafeMutablePointer<Float>, _ k: Int) -> SIMD8<Float> { .load(p, k) }

@inline(__always)
func store8(_ value: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, _ k: Int) { value.store(p, k) }

/// `a·b + c` rounded once, as PyTorch's CPU kernels compute `add(alpha=)`, `addcmul` and `lerp`
/// (their scalar paths compile to fused multiply-adds). Matching that rounding is what lets the
/// updates agree with torch.optim to the last bit instead of drifting by a few ulps per step.
///
/// Computed in double rather than with `Float.addingProduct`: without FMA in the compilation
/// target the latter becomes a call to `fmaf` per element. The double product of two floats is
/// exact, so the only difference from a true FMA is double rounding, which needs a sum lying
/// within 2⁻²⁹ relative of a float midpoint.
@inline(__always)
func fusedMultiplyAdd(_ a: Float, _ b: Float, _ c: Float) -> Float {
    Float(Double(a) * Double(b) + Double(c))
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
