import Foundation
import GymCore

/// The classic-control environments of Gymnasium.
public enum ClassicControl {
    /// Every environment of this library.
    public static var specs: [EnvSpec] {
        CartPole.specs() + [Pendulum.spec(), MountainCar.spec(), MountainCarContinuous.spec(), Acrobot.spec()]
    }

    /// Registers every environment of this library.
    public static func register(into registry: inout EnvRegistry) throws {
        for spec in specs { try registry.register(spec) }
    }

    /// The largest magnitude a reset option of these environments may have (`low`, `high`,
    /// `x_init`, `y_init`): far beyond any useful start state, and small enough that no
    /// computation on the state degenerates. Clients choose options, so they are checked.
    public static let maxResetOption = 1000.0

    /// A numeric reset option, or nil when absent; finite and within ±`maxResetOption`.
    static func resetOption(_ options: ValueMap, _ key: String) throws -> Double? {
        guard let value = options[key] else { return nil }
        guard let number = value.doubleValue else {
            throw GymError(.invalidArgument, "reset option \(key) must be a number, got \(String(describing: value).clippedForEcho())")
        }
        guard number.isFinite, abs(number) <= maxResetOption else {
            throw GymError(.invalidArgument, "reset option \(key) must be finite and within ±\(maxResetOption), got \(number)")
        }
        return number
    }

    /// `utils.maybe_parse_reset_bounds`: options `low`/`high` over the defaults; low ≤ high,
    /// both finite and within ±`maxResetOption`.
    static func resetBounds(_ options: ValueMap, defaultLow: Double, defaultHigh: Double) throws -> (Double, Double) {
        let low = try resetOption(options, "low") ?? defaultLow
        let high = try resetOption(options, "high") ?? defaultHigh
        guard low <= high else { throw GymError(.invalidArgument, "reset option low \(low) exceeds high \(high)") }
        return (low, high)
    }
}

/// The scalar arithmetic NumPy 2 performs where it differs from plain Swift, so the
/// environments can reproduce Gymnasium bit for bit.
enum NumPyMath {
    typealias DoubleBinary = @convention(c) (Double, Double) -> Double
    typealias FloatBinary = @convention(c) (Float, Float) -> Float

    /// libm's `pow`, which NumPy calls for `np.float64 ** 2` and Python for `float ** 2`.
    ///
    /// Looked up at run time because LLVM rewrites a visible `pow(x, 2)` as `x * x`, and
    /// libm's `pow` is not correctly rounded: about one square in 1,400 differs in the last bit.
    static let pow: DoubleBinary = symbol("pow") ?? { base, exponent in Foundation.pow(base, exponent) }

    /// libm's `powf`, which NumPy calls for `np.float32 ** 2`; looked up at run time as `pow` is.
    static let powf: FloatBinary = symbol("powf") ?? { base, exponent in Foundation.pow(base, exponent) }

    private static func symbol<Function>(_ name: String) -> Function? {
        #if canImport(Darwin)
        let everywhere = UnsafeMutableRawPointer(bitPattern: -2)  // RTLD_DEFAULT
        #else
        let everywhere: UnsafeMutableRawPointer? = nil  // RTLD_DEFAULT
        #endif
        guard let address = dlsym(everywhere, name) else { return nil }
        return unsafeBitCast(address, to: Function.self)
    }

    /// `np.clip` of a scalar (and Python's `min(max(x, low), high)` for in-order bounds); NaN passes through.
    @inline(__always)
    static func clip<Value: FloatingPoint>(_ value: Value, _ low: Value, _ high: Value) -> Value {
        value < low ? low : (value > high ? high : value)
    }

    /// Python's and NumPy's float `%`: the result takes the sign of the divisor.
    @inline(__always)
    static func floorRemainder(_ dividend: Double, _ divisor: Double) -> Double {
        var remainder = dividend.truncatingRemainder(dividingBy: divisor)
        guard divisor != 0 else { return remainder }
        if remainder != 0 {
            if (divisor < 0) != (remainder < 0) { remainder += divisor }
        } else {
            remainder = Double(signOf: divisor, magnitudeOf: 0)
        }
        return remainder
    }

    /// `np.sin` of a float32, which NumPy computes with its own SIMD kernel, not libm.
    static func sin(_ x: Float) -> Float { float32SinCos(x, cosine: false) }

    /// `np.cos` of a float32, which NumPy computes with its own SIMD kernel, not libm.
    static func cos(_ x: Float) -> Float { float32SinCos(x, cosine: true) }

    // NumPy's `simd_sincos_f32` (x86 targets with FMA3): Cody-Waite reduction to
    // [-π/4, π/4], then minimax polynomials evaluated with fused multiply-adds. Beyond the
    // reduction's accurate range NumPy falls back to libm's sinf/cosf.
    private static let twoOverPi: Float = 0x1.45f306p-1
    private static let piOverTwoHigh: Float = -0x1.921fb0p+00
    private static let piOverTwoMiddle: Float = -0x1.5110b4p-22
    private static let piOverTwoLow: Float = -0x1.846988p-48
    private static let roundingMagic: Float = 0x1.800000p+23
    private static let sineReductionLimit: Float = 117435.992
    private static let cosineReductionLimit: Float = 71476.0625

    private static func float32SinCos(_ x: Float, cosine: Bool) -> Float {
        guard !x.isNaN else { return .nan }
        guard abs(x) <= (cosine ? cosineReductionLimit : sineReductionLimit) else {
            return cosine ? Foundation.cos(x) : Foundation.sin(x)
        }
        // Adding and subtracting 1.5·2²³ rounds to the nearest integer. NumPy's compiler fuses
        // the multiply into that add, which picks the other quadrant near its boundaries.
        let quadrant = roundingMagic.addingProduct(x, twoOverPi) - roundingMagic
        var reduced = x.addingProduct(quadrant, piOverTwoHigh)
        reduced = reduced.addingProduct(quadrant, piOverTwoMiddle)
        reduced = reduced.addingProduct(quadrant, piOverTwoLow)
        let squared = reduced * reduced

        var cosPoly = Float(-0x1.6c06dcp-10).addingProduct(0x1.98e616p-16, squared)
        cosPoly = Float(0x1.55553cp-05).addingProduct(cosPoly, squared)
        cosPoly = Float(-0x1.000000p-01).addingProduct(cosPoly, squared)
        cosPoly = Float(0x1.000000p+00).addingProduct(cosPoly, squared)

        var sinPoly = Float(-0x1.a06bbap-13).addingProduct(0x1.7d3bbcp-19, squared)
        sinPoly = Float(0x1.11119ap-07).addingProduct(sinPoly, squared)
        sinPoly = Float(-0x1.555556p-03).addingProduct(sinPoly, squared)
        sinPoly = Float(0).addingProduct(sinPoly, squared)
        sinPoly = reduced.addingProduct(sinPoly, reduced)

        var quadrantIndex = Int32(quadrant)
        if cosine { quadrantIndex &+= 1 }
        let value = quadrantIndex & 1 == 0 ? sinPoly : cosPoly
        // NumPy negates by subtracting from +0, so a zero result never turns negative.
        return quadrantIndex & 2 == 2 ? 0 - value : value
    }
}
