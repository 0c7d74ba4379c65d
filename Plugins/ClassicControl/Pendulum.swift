import Foundation
import GymCore

/// ## Description
/// The inverted-pendulum swing-up problem from control theory: a pendulum hangs from a fixed
/// pivot, starts at a random angle, and must be swung up and held upright by a torque on its
/// free end. Equations, constants and NumPy's dtype promotions follow Gymnasium's
/// `PendulumEnv`, so seeded episodes match it bit for bit.
///
/// ## Action space
/// `Box(-2.0, 2.0, (1,), float32)`: the torque in N·m, positive counter-clockwise. It is
/// clipped to ±2 as float32, as `np.clip` does.
///
/// ## Observation space
/// `Box(3,)` float32:
///
/// | index | observation       | min  | max |
/// |-------|-------------------|------|-----|
/// | 0     | x = cos(theta)    | -1.0 | 1.0 |
/// | 1     | y = sin(theta)    | -1.0 | 1.0 |
/// | 2     | angular velocity  | -8.0 | 8.0 |
///
/// theta is 0 when the pendulum points straight up.
///
/// ## Rewards
/// `-(theta² + 0.1·theta_dt² + 0.001·torque²)`, with theta normalised to [-π, π); from
/// -16.2736044 (hanging, fastest, full torque) up to 0 (upright, still, no torque).
///
/// ## Starting state
/// theta uniform in [-π, π] and angular velocity uniform in [-1, 1]. Reset options
/// `x_init` and `y_init` replace those bounds: [-x_init, x_init] and [-y_init, y_init]
/// (each in [0, 1000]; anything else is INVALID_ARGUMENT).
///
/// ## Episode end
/// No termination. Truncation (applied by the daemon from the registry): 200 steps.
///
/// ## Arguments
/// `g` (float, default 10.0): gravitational acceleration in m/s².
///
/// ## Rendering
/// 500×500 like Gymnasium's picture: a red rod with rounded ends about a black axle, and a
/// circular arrow around the axle showing the last torque's direction and size.
///
/// ## Version history
/// v1: simplified equations, same behaviour. v0: initial release.
public final class Pendulum: Environment {
    static let maxSpeed = 8.0
    static let maxTorque = 2.0
    /// Seconds per step.
    static let dt = 0.05
    static let mass = 1.0
    static let length = 1.0
    /// Gymnasium's default `g`, in m/s².
    public static let defaultGravity = 10.0
    /// Python's `3.0 / (m * l**2)`, which multiplies the float32 torque as a float32.
    static let torqueGain = Float(3.0 / (mass * NumPyMath.pow(length, 2)))
    /// Default reset bound on theta.
    static let defaultXInit = Double.pi
    /// Default reset bound on the angular velocity.
    static let defaultYInit = 1.0

    /// The observation space.
    public static let observationSpace: Space = {
        let high = [1.0, 1.0, maxSpeed]
        return .box(low: high.map { -$0 }, high: high, shape: [3], dtype: .float32)
    }()

    /// The action space: one torque.
    public static let actionSpace: Space = .box(low: -maxTorque, high: maxTorque, shape: [1], dtype: .float32)

    private let gravity: Double
    private var theta = 0.0
    private var thetaDot = 0.0
    /// The last clipped torque, for the arrow; nil right after a reset.
    private var lastTorque: Float?
    private var random: NumPyGenerator?
    private let pow = NumPyMath.pow
    private let powf = NumPyMath.powf

    /// Creates a pendulum under gravity `g` (m/s²).
    public init(g: Double = Pendulum.defaultGravity) {
        gravity = g
    }

    /// The registry entry for Pendulum-v1.
    public static func spec() -> EnvSpec {
        EnvSpec(
            id: "Pendulum-v1", observationSpace: observationSpace, actionSpace: actionSpace,
            maxEpisodeSteps: 200, rewardThreshold: nil,
            kwargs: ["g": .number(defaultGravity)], renderSize: (screenSize, screenSize),
            description: "Swing a pendulum up and keep it upright with a limited torque."
        ) { kwargs in
            Pendulum(g: kwargs["g"]?.doubleValue ?? defaultGravity)
        }
    }

    /// Draws a start state as in "Starting state"; a seed restarts the NumPy-compatible generator.
    public func reset(seed: UInt64?, options: ValueMap, observation: UnsafeMutableRawBufferPointer) throws -> ValueMap {
        let xInit = try ClassicControl.resetOption(options, "x_init") ?? Self.defaultXInit
        let yInit = try ClassicControl.resetOption(options, "y_init") ?? Self.defaultYInit
        // NumPy's uniform refuses a negative or infinite span.
        guard xInit >= 0, yInit >= 0, (2 * xInit).isFinite, (2 * yInit).isFinite else {
            throw GymError(.invalidArgument, "reset options x_init \(xInit) and y_init \(yInit) must be finite and non-negative")
        }
        var generator = NumPyGenerator.forReset(continuing: random, seed: seed)
        // Gymnasium draws both with one array-valued uniform over symmetric bounds.
        let start = generator.uniform(low: [-xInit, -yInit], high: [xInit, yInit])
        random = generator
        theta = start[0]
        thetaDot = start[1]
        lastTorque = nil
        write(observation)
        return [:]
    }

    private static func number(_ options: ValueMap, _ key: String) throws -> Double? {
        guard let value = options[key] else { return nil }
        guard let number = value.doubleValue else {
            throw GymError(.invalidArgument, "reset option \(key) must be a number, got \(value)")
        }
        return number
    }

    @inline(__always)
    private func write(_ observation: UnsafeMutableRawBufferPointer) {
        observation.storeBytes(of: Float(cos(theta)), toByteOffset: 0, as: Float.self)
        observation.storeBytes(of: Float(sin(theta)), toByteOffset: 4, as: Float.self)
        observation.storeBytes(of: Float(thetaDot), toByteOffset: 8, as: Float.self)
    }

    /// Applies one action and writes the next observation; time limits are the daemon's.
    public func step(action: UnsafeRawBufferPointer, observation: UnsafeMutableRawBufferPointer) throws -> StepResult {
        // np.clip of the float32 action against Python floats stays float32.
        let raw = action.loadUnaligned(as: Float.self)
        let torque = NumPyMath.clip(raw, Float(-Self.maxTorque), Float(Self.maxTorque))
        lastTorque = torque

        // The float32 torque terms stay float32 (Python float × np.float32) until they meet a
        // float64 term; the exponents go through libm's pow as NumPy's `**` does.
        let torqueCost = Float(0.001) * powf(torque, 2)
        let costs = pow(Self.angleNormalize(theta), 2) + 0.1 * pow(thetaDot, 2) + Double(torqueCost)
        let torqueTerm = Self.torqueGain * torque
        let gravityTerm = 3 * gravity / (2 * Self.length) * sin(theta)
        var newThetaDot = thetaDot + (gravityTerm + Double(torqueTerm)) * Self.dt
        newThetaDot = NumPyMath.clip(newThetaDot, -Self.maxSpeed, Self.maxSpeed)
        theta = theta + newThetaDot * Self.dt
        thetaDot = newThetaDot
        write(observation)
        return StepResult(reward: -costs, terminated: false)
    }

    /// Gymnasium's `angle_normalize`: the angle in [-π, π).
    @inline(__always)
    static func angleNormalize(_ angle: Double) -> Double {
        NumPyMath.floorRemainder(angle + .pi, 2 * .pi) - .pi
    }

    // Rendering constants: Gymnasium's, in pixels unless named otherwise.
    static let screenSize = 500
    /// Half the world width shown, in metres.
    static let viewBound = 2.2
    static let rodColor = RGB(204, 77, 77)
    static let arrowColor = RGB.black
    /// Axle radius in metres.
    static let axleRadius = 0.05
    /// Rod width in metres.
    static let rodWidth = 0.2

    /// Draws the current state as described under "Rendering".
    public func render() throws -> RGBFrame {
        var canvas = Canvas(width: Self.screenSize, height: Self.screenSize)
        let scale = Double(Self.screenSize) / (Self.viewBound * 2)
        let centre = Double(Self.screenSize / 2)
        let rodLength = Self.length * scale
        let halfWidth = Self.rodWidth * scale / 2
        // The rod lies along +x before turning by theta + π/2, so theta = 0 points up.
        let angle = theta + .pi / 2
        let (cosine, sine) = (cos(angle), sin(angle))
        let corners = [(0.0, -halfWidth), (0.0, halfWidth), (rodLength, halfWidth), (rodLength, -halfWidth)]
        canvas.fillPolygon(
            corners.map { x, y in (x * cosine - y * sine + centre, x * sine + y * cosine + centre) },
            color: Self.rodColor)
        let capRadius = halfWidth.rounded(.towardZero) + 0.5
        canvas.fillCircle(center: (centre + 0.5, centre + 0.5), radius: capRadius, color: Self.rodColor)
        let end = ((rodLength * cosine + centre).rounded(.towardZero) + 0.5, (rodLength * sine + centre).rounded(.towardZero) + 0.5)
        canvas.fillCircle(center: end, radius: capRadius, color: Self.rodColor)
        if let lastTorque, lastTorque != 0 {
            drawTorqueArrow(on: &canvas, torque: Double(lastTorque), scale: scale, centre: centre)
        }
        let axleRadius = (Self.axleRadius * scale).rounded(.towardZero) + 0.5
        canvas.fillCircle(center: (centre + 0.5, centre + 0.5), radius: axleRadius, color: .black)
        canvas.flipVertically()
        return canvas.frame
    }

    /// Gymnasium blits a circular-arrow image (`clockwise.png`) of width scale·|u|/2, mirrored
    /// for positive torque; this draws that arrow: three quarters of a circle from the top,
    /// clockwise for negative torque and counter-clockwise for positive, with a head at the end.
    private func drawTorqueArrow(on canvas: inout Canvas, torque: Double, scale: Double, centre: Double) {
        let radius = scale * abs(torque) / 4 * 0.95
        let thickness = max(radius * 0.085, 1.5)
        let direction = torque > 0 ? 1.0 : -1.0
        let startAngle = Double.pi / 2
        let sweep = 1.5 * Double.pi * direction
        let segments = 36
        var previous = (centre + radius * cos(startAngle), centre + radius * sin(startAngle))
        for index in 1...segments {
            let angle = startAngle + sweep * Double(index) / Double(segments)
            let point = (centre + radius * cos(angle), centre + radius * sin(angle))
            canvas.line(from: previous, to: point, thickness: thickness, color: Self.arrowColor)
            previous = point
        }
        // The head: a triangle at the arc's end, pointing along the direction of travel.
        let endAngle = startAngle + sweep
        let tip = (x: centre + radius * cos(endAngle), y: centre + radius * sin(endAngle))
        let tangent = (x: -sin(endAngle) * direction, y: cos(endAngle) * direction)
        let normal = (x: cos(endAngle), y: sin(endAngle))
        let headLength = max(radius * 0.3, thickness * 2)
        let headWidth = max(radius * 0.17, thickness * 1.5)
        canvas.fillPolygon(
            [
                (tip.x + tangent.x * headLength, tip.y + tangent.y * headLength),
                (tip.x + normal.x * headWidth, tip.y + normal.y * headWidth),
                (tip.x - normal.x * headWidth, tip.y - normal.y * headWidth),
            ],
            color: Self.arrowColor)
    }
}
