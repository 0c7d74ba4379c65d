import Foundation
import GymCore

/// ## Description
/// Two links hang in a chain from a fixed pivot; only the joint between them is actuated.
/// The goal is to swing the free end above a target height (Sutton, 1996; Sutton and Barto's
/// book). Dynamics are the book's (Gymnasium's default `book_or_nips = "book"`), integrated
/// with one fourth-order Runge-Kutta step of 0.2 s. Equations, constants and NumPy's dtype
/// promotions follow Gymnasium's `AcrobotEnv`, so seeded episodes match it bit for bit,
/// including the reset observation, whose sines and cosines NumPy takes in float32.
///
/// ## Action space
/// `Discrete(3)`: torque -1, 0 or +1 N·m on the actuated joint.
///
/// ## Observation space
/// `Box(6,)` float32:
///
/// | index | observation                  | min                 | max               |
/// |-------|------------------------------|---------------------|-------------------|
/// | 0     | cos(theta1)                  | -1                  | 1                 |
/// | 1     | sin(theta1)                  | -1                  | 1                 |
/// | 2     | cos(theta2)                  | -1                  | 1                 |
/// | 3     | sin(theta2)                  | -1                  | 1                 |
/// | 4     | angular velocity of theta1   | ~ -12.567 (-4π)     | ~ 12.567 (4π)     |
/// | 5     | angular velocity of theta2   | ~ -28.274 (-9π)     | ~ 28.274 (9π)     |
///
/// theta1 is 0 when the first link points straight down; theta2 is relative to the first link.
///
/// ## Rewards
/// -1 for every step that does not reach the target, 0 for the one that does.
///
/// ## Starting state
/// All four state variables uniform in [-0.1, 0.1] (reset options `low`/`high` change the
/// range), drawn in float64 and stored as float32, as Gymnasium does.
/// The options must be finite numbers in [-1000, 1000] with low ≤ high (INVALID_ARGUMENT otherwise).
///
/// ## Episode end
/// Termination: the free end rises above the target, `-cos(theta1) - cos(theta2 + theta1) > 1`.
/// Truncation (applied by the daemon from the registry): 500 steps.
///
/// ## Arguments
/// None.
///
/// ## Rendering
/// 500×500 like Gymnasium's picture: two cyan links with yellow joints and a black line at
/// the target height.
///
/// ## Version history
/// v1: observations are sines and cosines of the angles; 500-step limit. v0: raw angles, 200 steps.
public final class Acrobot: Environment {
    /// Seconds per step.
    static let dt = 0.2
    static let linkLength1 = 1.0
    static let linkLength2 = 1.0
    static let linkMass1 = 1.0
    static let linkMass2 = 1.0
    /// Position of each link's centre of mass along it.
    static let linkCentre1 = 0.5
    static let linkCentre2 = 0.5
    /// Moment of inertia of each link.
    static let linkInertia = 1.0
    static let gravity = 9.8
    static let maxVelocity1 = 4 * Double.pi
    static let maxVelocity2 = 9 * Double.pi
    /// Torque per action; Gymnasium's `AVAIL_TORQUE = [-1.0, 0.0, +1]`.
    static let torques = (-1.0, 0.0, 1.0)
    static let defaultLow = -0.1
    static let defaultHigh = 0.1

    /// The observation space.
    public static let observationSpace: Space = {
        let high = [1.0, 1.0, 1.0, 1.0, maxVelocity1, maxVelocity2].map { Double(Float($0)) }
        return .box(low: high.map { -$0 }, high: high, shape: [6], dtype: .float32)
    }()

    // Python's `lc1**2` and the like: exact squares of constants, computed once.
    private static let centre1Squared = NumPyMath.pow(linkCentre1, 2)
    private static let centre2Squared = NumPyMath.pow(linkCentre2, 2)
    private static let length1Squared = NumPyMath.pow(linkLength1, 2)

    /// theta1, theta2, dtheta1, dtheta2.
    private typealias State = (Double, Double, Double, Double)

    private var state: State = (0, 0, 0, 0)
    private var random: NumPyGenerator?
    private let pow = NumPyMath.pow

    /// Creates an acrobot.
    public init() {}

    /// The registry entry for Acrobot-v1.
    public static func spec() -> EnvSpec {
        EnvSpec(
            id: "Acrobot-v1", observationSpace: observationSpace, actionSpace: .discrete(n: 3),
            maxEpisodeSteps: 500, rewardThreshold: -100, renderSize: (screenSize, screenSize),
            description: "Swing the tip of a two-link chain above a line by torquing its middle joint."
        ) { _ in
            Acrobot()
        }
    }

    /// Draws a start state as in "Starting state"; a seed restarts the NumPy-compatible generator.
    public func reset(seed: UInt64?, options: ValueMap, observation: UnsafeMutableRawBufferPointer) throws -> ValueMap {
        let (low, high) = try ClassicControl.resetBounds(options, defaultLow: Self.defaultLow, defaultHigh: Self.defaultHigh)
        var generator = NumPyGenerator.forReset(continuing: random, seed: seed)
        // `uniform(size=(4,)).astype(np.float32)`: the state is float32 until the first step.
        let single = (
            Float(generator.uniform(low: low, high: high)), Float(generator.uniform(low: low, high: high)),
            Float(generator.uniform(low: low, high: high)), Float(generator.uniform(low: low, high: high))
        )
        random = generator
        state = (Double(single.0), Double(single.1), Double(single.2), Double(single.3))
        // np.cos/np.sin of float32 scalars run NumPy's own float32 kernel.
        observation.storeBytes(of: NumPyMath.cos(single.0), toByteOffset: 0, as: Float.self)
        observation.storeBytes(of: NumPyMath.sin(single.0), toByteOffset: 4, as: Float.self)
        observation.storeBytes(of: NumPyMath.cos(single.1), toByteOffset: 8, as: Float.self)
        observation.storeBytes(of: NumPyMath.sin(single.1), toByteOffset: 12, as: Float.self)
        observation.storeBytes(of: single.2, toByteOffset: 16, as: Float.self)
        observation.storeBytes(of: single.3, toByteOffset: 20, as: Float.self)
        return [:]
    }

    /// Applies one action and writes the next observation; time limits are the daemon's.
    public func step(action: UnsafeRawBufferPointer, observation: UnsafeMutableRawBufferPointer) throws -> StepResult {
        let torque: Double
        switch action.loadUnaligned(as: Int64.self) {
        case 0: torque = Self.torques.0
        case 1: torque = Self.torques.1
        case 2: torque = Self.torques.2
        case let other: throw GymError(.invalidAction, "Acrobot-v1 takes actions 0, 1 or 2, got \(other)")
        }
        var next = rungeKutta(state, torque: torque)
        next.0 = Self.wrap(next.0, -Double.pi, Double.pi)
        next.1 = Self.wrap(next.1, -Double.pi, Double.pi)
        next.2 = NumPyMath.clip(next.2, -Self.maxVelocity1, Self.maxVelocity1)
        next.3 = NumPyMath.clip(next.3, -Self.maxVelocity2, Self.maxVelocity2)
        state = next

        let terminated = -cos(next.0) - cos(next.1 + next.0) > 1.0
        observation.storeBytes(of: Float(cos(next.0)), toByteOffset: 0, as: Float.self)
        observation.storeBytes(of: Float(sin(next.0)), toByteOffset: 4, as: Float.self)
        observation.storeBytes(of: Float(cos(next.1)), toByteOffset: 8, as: Float.self)
        observation.storeBytes(of: Float(sin(next.1)), toByteOffset: 12, as: Float.self)
        observation.storeBytes(of: Float(next.2), toByteOffset: 16, as: Float.self)
        observation.storeBytes(of: Float(next.3), toByteOffset: 20, as: Float.self)
        return StepResult(reward: terminated ? 0 : -1, terminated: terminated)
    }

    /// Gymnasium's `rk4` over one interval [0, dt], elementwise in its order.
    private func rungeKutta(_ y0: State, torque: Double) -> State {
        let dt = Self.dt - 0
        let half = dt / 2.0
        let k1 = derivatives(y0, torque: torque)
        let k2 = derivatives(Self.advance(y0, k1, by: half), torque: torque)
        let k3 = derivatives(Self.advance(y0, k2, by: half), torque: torque)
        let k4 = derivatives(Self.advance(y0, k3, by: dt), torque: torque)
        let sixth = dt / 6.0
        return (
            y0.0 + sixth * (k1.0 + 2 * k2.0 + 2 * k3.0 + k4.0),
            y0.1 + sixth * (k1.1 + 2 * k2.1 + 2 * k3.1 + k4.1),
            y0.2 + sixth * (k1.2 + 2 * k2.2 + 2 * k3.2 + k4.2),
            y0.3 + sixth * (k1.3 + 2 * k2.3 + 2 * k3.3 + k4.3)
        )
    }

    @inline(__always)
    private static func advance(_ y: State, _ slope: State, by step: Double) -> State {
        (y.0 + step * slope.0, y.1 + step * slope.1, y.2 + step * slope.2, y.3 + step * slope.3)
    }

    /// Gymnasium's `_dsdt` with the book's dynamics. Constant products are grouped as Python
    /// evaluates them left to right; `**` of a variable goes through libm's pow.
    private func derivatives(_ s: State, torque a: Double) -> State {
        let (m1, m2) = (Self.linkMass1, Self.linkMass2)
        let l1 = Self.linkLength1
        let (lc1, lc2) = (Self.linkCentre1, Self.linkCentre2)
        let (i1, i2) = (Self.linkInertia, Self.linkInertia)
        let g = Self.gravity
        let (theta1, theta2, dtheta1, dtheta2) = s
        let cos2 = cos(theta2)
        let sin2 = sin(theta2)
        let (lc1Squared, lc2Squared, l1Squared) = (Self.centre1Squared, Self.centre2Squared, Self.length1Squared)
        let d1 = m1 * lc1Squared + m2 * (l1Squared + lc2Squared + 2 * l1 * lc2 * cos2) + i1 + i2
        let d2 = m2 * (lc2Squared + l1 * lc2 * cos2) + i2
        let phi2 = m2 * lc2 * g * cos(theta1 + theta2 - Double.pi / 2.0)
        let phi1 = -m2 * l1 * lc2 * pow(dtheta2, 2) * sin2
            - 2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * sin2
            + (m1 * lc1 + m2 * l1) * g * cos(theta1 - Double.pi / 2)
            + phi2
        let ddtheta2 = (a + d2 / d1 * phi1 - m2 * l1 * lc2 * pow(dtheta1, 2) * sin2 - phi2)
            / (m2 * lc2Squared + i2 - pow(d2, 2) / d1)
        let ddtheta1 = -(d2 * ddtheta2 + phi1) / d1
        return (dtheta1, dtheta2, ddtheta1, ddtheta2)
    }

    /// Most turns `wrap` takes one at a time, as Gymnasium does. The dynamics move an angle by
    /// far less than a turn per step, so only a value no episode reaches needs more.
    static let maxWrapTurns = 64

    /// Gymnasium's `wrap`: shifts by whole turns into [low, high], bit for bit the same while it
    /// takes at most `maxWrapTurns` turns. Beyond that Gymnasium's loop runs for as long as the
    /// value is large (forever once a turn is below the value's ulp), so a remainder takes over:
    /// the call is total, whatever the state.
    @inline(__always)
    static func wrap(_ value: Double, _ low: Double, _ high: Double) -> Double {
        let span = high - low
        var wrapped = value
        var turns = 0
        while wrapped > high, turns < maxWrapTurns { wrapped = wrapped - span; turns += 1 }
        while wrapped < low, turns < maxWrapTurns { wrapped = wrapped + span; turns += 1 }
        if turns < maxWrapTurns || (wrapped >= low && wrapped <= high) || wrapped.isNaN { return wrapped }
        return farWrap(wrapped, low, high)
    }

    /// `wrap` for a value many turns out: a floored remainder, NaN for an infinity.
    @inline(never)
    static func farWrap(_ value: Double, _ low: Double, _ high: Double) -> Double {
        guard value.isFinite else { return .nan }
        let span = high - low
        var offset = (value - low).truncatingRemainder(dividingBy: span)
        if offset < 0 { offset += span }
        return min(max(low + offset, low), high)
    }

    // Rendering constants: Gymnasium's, in pixels unless named otherwise.
    static let screenSize = 500
    static let linkColor = RGB(0, 204, 204)
    static let jointColor = RGB(204, 204, 0)
    /// Half the link width, and the joint radius, in metres.
    static let linkHalfWidth = 0.1

    /// Draws the current state as described under "Rendering".
    public func render() throws -> RGBFrame {
        var canvas = Canvas(width: Self.screenSize, height: Self.screenSize)
        let bound = Self.linkLength1 + Self.linkLength2 + 0.2
        let scale = Double(Self.screenSize) / (bound * 2)
        let offset = Double(Self.screenSize) / 2
        let (theta1, theta2, _, _) = state
        // The target line, one link length above the pivot.
        canvas.line(
            from: (-bound * scale + offset, Self.linkLength1 * scale + offset),
            to: (bound * scale + offset, Self.linkLength1 * scale + offset), color: .black)
        let elbow = (x: Self.linkLength1 * sin(theta1) * scale, y: -Self.linkLength1 * cos(theta1) * scale)
        let links = [
            (x: 0.0, y: 0.0, angle: theta1 - Double.pi / 2, length: Self.linkLength1 * scale),
            (x: elbow.x, y: elbow.y, angle: theta1 + theta2 - Double.pi / 2, length: Self.linkLength2 * scale),
        ]
        let halfWidth = Self.linkHalfWidth * scale
        for link in links {
            let (x, y) = (link.x + offset, link.y + offset)
            let (cosine, sine) = (cos(link.angle), sin(link.angle))
            let corners = [(0.0, -halfWidth), (0.0, halfWidth), (link.length, halfWidth), (link.length, -halfWidth)]
            canvas.fillPolygon(corners.map { cx, cy in (cx * cosine - cy * sine + x, cx * sine + cy * cosine + y) }, color: Self.linkColor)
            canvas.fillCircle(
                center: (x.rounded(.towardZero) + 0.5, y.rounded(.towardZero) + 0.5),
                radius: halfWidth.rounded(.towardZero) + 0.5, color: Self.jointColor)
        }
        canvas.flipVertically()
        return canvas.frame
    }
}
