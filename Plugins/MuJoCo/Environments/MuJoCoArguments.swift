import Foundation
import GymCore

/// Reading the kwargs every MuJoCo environment shares, checked: clients choose kwargs.
enum MuJoCoArguments {
    /// The most physics steps one environment step may take: far beyond any registered
    /// `frame_skip`, small enough that one step cannot stall a worker for long.
    static let maxFrameSkip: Int64 = 1_000
    /// The largest magnitude a weight or noise scale may have.
    static let maxMagnitude = 1e9

    /// A finite number kwarg within ±`maxMagnitude`.
    static func number(_ kwargs: ValueMap, _ key: String, default value: Double) throws -> Double {
        guard let given = kwargs[key] else { return value }
        guard let number = given.doubleValue, number.isFinite, abs(number) <= maxMagnitude else {
            throw GymError(.invalidArgument, "kwarg \(key) must be a finite number within ±\(maxMagnitude), got \(String(describing: given).clippedForEcho())")
        }
        return number
    }

    /// A flag kwarg.
    static func flag(_ kwargs: ValueMap, _ key: String, default value: Bool) throws -> Bool {
        guard let given = kwargs[key] else { return value }
        guard case .flag(let flag) = given else {
            throw GymError(.invalidArgument, "kwarg \(key) must be true or false, got \(String(describing: given).clippedForEcho())")
        }
        return flag
    }

    /// `frame_skip`, between 1 and `maxFrameSkip`.
    static func frameSkip(_ kwargs: ValueMap, default value: Int) throws -> Int {
        guard let given = kwargs["frame_skip"] else { return value }
        guard case .integer(let skip) = given, (1...maxFrameSkip).contains(skip) else {
            throw GymError(.invalidArgument, "kwarg frame_skip must be an integer in 1...\(maxFrameSkip), got \(String(describing: given).clippedForEcho())")
        }
        return Int(skip)
    }

    /// Refuses `exclude_current_positions_from_observation=false`: it lengthens the observation
    /// beyond the registered space, which sizes every buffer the daemon hands the environment.
    static func requireFixedShape(_ kwargs: ValueMap) throws {
        let key = "exclude_current_positions_from_observation"
        guard try flag(kwargs, key, default: true) else {
            throw GymError(.invalidArgument, "kwarg \(key)=false would change the registered observation shape; only true is served")
        }
    }

    /// Refuses a flag kwarg set to false when false would change the registered observation shape.
    static func requireFlag(_ kwargs: ValueMap, _ key: String) throws {
        guard try flag(kwargs, key, default: true) else {
            throw GymError(.invalidArgument, "kwarg \(key)=false would change the registered observation shape; only true is served")
        }
    }

    /// A body-index kwarg, within the model's bodies.
    static func bodyIndex(_ kwargs: ValueMap, _ key: String, default value: Int, bodies: Int) throws -> Int {
        guard let given = kwargs[key] else { return value }
        guard case .integer(let index) = given, index >= 0, index < Int64(bodies) else {
            throw GymError(.invalidArgument, "kwarg \(key) must be a body index in 0..<\(bodies), got \(String(describing: given).clippedForEcho())")
        }
        return Int(index)
    }

    /// An unbounded float64 observation space of `count` elements, as every MuJoCo env declares.
    static func observationSpace(_ count: Int) -> Space {
        .box(low: Array(repeating: -.infinity, count: count), high: Array(repeating: .infinity, count: count), shape: [count], dtype: .float64)
    }
}

/// Writes float64 observation elements one after another into the caller's buffer.
struct ObservationWriter {
    private let buffer: UnsafeMutableRawBufferPointer
    private var offset = 0

    init(_ buffer: UnsafeMutableRawBufferPointer) { self.buffer = buffer }

    /// Appends one element.
    @inline(__always)
    mutating func append(_ value: Double) {
        buffer.storeBytes(of: value, toByteOffset: offset, as: Double.self)
        offset += 8
    }

    /// Appends `values[range]`.
    mutating func append(_ values: UnsafeMutableBufferPointer<Double>, from start: Int = 0) {
        for index in start..<values.count { append(values[index]) }
    }

    /// Appends `np.clip(values, -bound, bound)` of `values[start...]`.
    mutating func appendClipped(_ values: UnsafeMutableBufferPointer<Double>, bound: Double, from start: Int = 0) {
        for index in start..<values.count { append(MuJoCoMath.clip(values[index], -bound, bound)) }
    }
}

/// NumPy's scalar operations where their result differs from the obvious Swift one.
enum MuJoCoMath {
    /// `np.clip(x, low, high)`: NaN stays NaN.
    @inline(__always)
    static func clip(_ x: Double, _ low: Double, _ high: Double) -> Double {
        x.isNaN ? x : Swift.min(Swift.max(x, low), high)
    }

    /// libm's `pow`, which NumPy calls for `np.float64 ** 2`: looked up at run time because LLVM
    /// rewrites a visible `pow(x, 2)` as `x * x`, and libm's `pow` is not correctly rounded.
    static let pow: @convention(c) (Double, Double) -> Double = {
        guard let address = dlsym(nil, "pow") else { return { Foundation.pow($0, $1) } }
        return unsafeBitCast(address, to: (@convention(c) (Double, Double) -> Double).self)
    }()

    /// `np.linalg.norm` of a short vector: the square root of the squares summed in order.
    @inline(__always)
    static func norm(_ x: Double, _ y: Double, _ z: Double = 0) -> Double {
        (x * x + y * y + z * z).squareRoot()
    }

    /// The float32 action as an array, for control costs computed in float32 as Gymnasium's are.
    static func actionValues(_ action: UnsafeRawBufferPointer, count: Int) -> [Float] {
        (0..<count).map { action.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) }
    }

    /// `weight * np.sum(np.square(action))` with a Python-float weight and a float32 action:
    /// NumPy 2 keeps the product float32.
    static func controlCost(weight: Double, action: UnsafeRawBufferPointer, count: Int) -> Float {
        Float(weight) * actionSquares(action, count: count)
    }

    /// `np.sum(np.square(action))` of a float32 action; short actions (NumPy sums fewer than
    /// eight elements in order) skip the arrays, since this runs every step.
    static func actionSquares(_ action: UnsafeRawBufferPointer, count: Int) -> Float {
        guard count < 8 else { return NumPySum.sumOfSquares(actionValues(action, count: count)) }
        var sum: Float = -0.0
        for index in 0..<count {
            let value = action.loadUnaligned(fromByteOffset: 4 * index, as: Float.self)
            sum += value * value
        }
        return 0 + sum
    }
}
