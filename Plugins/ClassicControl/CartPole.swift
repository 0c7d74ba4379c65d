import Foundation
import GymCore

/// ## Description
/// A pole is attached by an un-actuated joint to a cart, which moves along a frictionless
/// track. The pole starts upright; the goal is to balance it by pushing the cart left or right
/// (Barto, Sutton and Anderson, 1983). Equations, constants and their float64 evaluation order
/// follow Gymnasium's `CartPoleEnv`, so seeded episodes match it bit for bit.
///
/// ## Action space
/// `Discrete(2)`: 0 pushes the cart left, 1 pushes it right, with a fixed force of 10 N.
///
/// ## Observation space
/// `Box(4,)` float32:
///
/// | index | observation           | min                 | max               |
/// |-------|-----------------------|---------------------|-------------------|
/// | 0     | cart position         | -4.8                | 4.8               |
/// | 1     | cart velocity         | -inf                | inf               |
/// | 2     | pole angle            | ~ -0.418 rad (-24°) | ~ 0.418 rad (24°) |
/// | 3     | pole angular velocity | -inf                | inf               |
///
/// The episode terminates well inside these bounds (see below).
///
/// ## Rewards
/// +1 for every step, including the terminating one. With `sutton_barto_reward`, 0 per
/// step and -1 on termination.
///
/// ## Starting state
/// Every element uniform in [-0.05, 0.05] (reset options `low`/`high` change the range).
/// The options must be finite numbers in [-1000, 1000] with low ≤ high (INVALID_ARGUMENT otherwise).
///
/// ## Episode end
/// Termination: the pole angle leaves ±12°, or the cart position leaves ±2.4.
/// Truncation (applied by the daemon from the registry): 500 steps for v1, 200 for v0.
///
/// ## Arguments
/// `sutton_barto_reward` (bool, default false).
///
/// ## Rendering
/// 600×400 like Gymnasium's picture: a black cart on a black track line, a tan pole and a
/// blue-grey axle, 125 pixels per metre so the frame spans the ±2.4 m track.
///
/// ## Version history
/// v1: 500-step limit, threshold 475. v0: 200-step limit, threshold 195.
public final class CartPole: Environment {
    static let gravity = 9.8
    static let massCart = 1.0
    static let massPole = 0.1
    static let totalMass = massPole + massCart
    /// Half the pole's length.
    static let length = 0.5
    static let poleMassLength = massPole * length
    static let forceMagnitude = 10.0
    /// Seconds between state updates.
    static let tau = 0.02
    static let thetaThresholdRadians = 12 * 2 * Double.pi / 360
    static let xThreshold = 2.4

    /// The observation space: bounds at twice the termination thresholds.
    public static let observationSpace: Space = {
        let high = [xThreshold * 2, .infinity, thetaThresholdRadians * 2, .infinity].map { Double(Float($0)) }
        return .box(low: high.map { -$0 }, high: high, shape: [4], dtype: .float32)
    }()

    private let suttonBartoReward: Bool
    private var state: (x: Double, xDot: Double, theta: Double, thetaDot: Double) = (0, 0, 0, 0)
    private var stepsBeyondTerminated: Int?
    private var random: NumPyGenerator?

    /// Creates a cart-pole; `suttonBartoReward` switches to the 0 / -1 reward.
    public init(suttonBartoReward: Bool = false) {
        self.suttonBartoReward = suttonBartoReward
    }

    /// The registry entries for CartPole-v0 and CartPole-v1.
    public static func specs() -> [EnvSpec] {
        [("CartPole-v0", 200, 195.0), ("CartPole-v1", 500, 475.0)].map { id, steps, threshold in
            EnvSpec(
                id: id, observationSpace: observationSpace, actionSpace: .discrete(n: 2),
                maxEpisodeSteps: steps, rewardThreshold: threshold,
                kwargs: ["sutton_barto_reward": .flag(false)], renderSize: (600, 400),
                description: "Balance a pole on a cart by pushing it left or right."
            ) { kwargs in
                CartPole(suttonBartoReward: kwargs["sutton_barto_reward"]?.boolValue ?? false)
            }
        }
    }

    public func reset(seed: UInt64?, options: ValueMap, observation: UnsafeMutableRawBufferPointer) throws -> ValueMap {
        let (low, high) = try ClassicControl.resetBounds(options, defaultLow: -0.05, defaultHigh: 0.05)
        var generator = NumPyGenerator.forReset(continuing: random, seed: seed)
        state = (
            generator.uniform(low: low, high: high), generator.uniform(low: low, high: high),
            generator.uniform(low: low, high: high), generator.uniform(low: low, high: high)
        )
        random = generator
        stepsBeyondTerminated = nil
        write(observation)
        return [:]
    }

    @inline(__always)
    private func write(_ observation: UnsafeMutableRawBufferPointer) {
        observation.storeBytes(of: Float(state.x), toByteOffset: 0, as: Float.self)
        observation.storeBytes(of: Float(state.xDot), toByteOffset: 4, as: Float.self)
        observation.storeBytes(of: Float(state.theta), toByteOffset: 8, as: Float.self)
        observation.storeBytes(of: Float(state.thetaDot), toByteOffset: 12, as: Float.self)
    }

    public func step(action: UnsafeRawBufferPointer, observation: UnsafeMutableRawBufferPointer) throws -> StepResult {
        let push = action.loadUnaligned(as: Int64.self)
        let force = push == 1 ? Self.forceMagnitude : -Self.forceMagnitude
        var (x, xDot, theta, thetaDot) = state
        let cosTheta = cos(theta)
        let sinTheta = sin(theta)
        let temp = (force + Self.poleMassLength * (thetaDot * thetaDot) * sinTheta) / Self.totalMass
        let thetaAcc = (Self.gravity * sinTheta - cosTheta * temp)
            / (Self.length * (4.0 / 3.0 - Self.massPole * (cosTheta * cosTheta) / Self.totalMass))
        let xAcc = temp - Self.poleMassLength * thetaAcc * cosTheta / Self.totalMass
        // Euler integration, as Gymnasium's default kinematics integrator.
        x = x + Self.tau * xDot
        xDot = xDot + Self.tau * xAcc
        theta = theta + Self.tau * thetaDot
        thetaDot = thetaDot + Self.tau * thetaAcc
        state = (x, xDot, theta, thetaDot)
        write(observation)

        let terminated = x < -Self.xThreshold || x > Self.xThreshold
            || theta < -Self.thetaThresholdRadians || theta > Self.thetaThresholdRadians
        let reward: Double
        if !terminated {
            reward = suttonBartoReward ? 0 : 1
        } else if let beyond = stepsBeyondTerminated {
            // Stepping past the end: Gymnasium warns and pays nothing.
            stepsBeyondTerminated = beyond + 1
            reward = suttonBartoReward ? -1 : 0
        } else {
            stepsBeyondTerminated = 0
            reward = suttonBartoReward ? -1 : 1
        }
        return StepResult(reward: reward, terminated: terminated)
    }

    // Rendering constants: Gymnasium's, in pixels unless named otherwise.
    static let screenWidth = 600
    static let screenHeight = 400
    static let pixelsPerMetre = Double(screenWidth) / (xThreshold * 2)
    static let poleWidth = 10.0
    static let cartWidth = 50.0
    static let cartHeight = 30.0
    /// Height of the cart's centre and of the track line above the bottom edge (Gymnasium's `carty`).
    static let cartCentreHeight = 100.0
    static let cartColor = RGB.black
    static let poleColor = RGB(202, 152, 101)
    static let axleColor = RGB(129, 132, 203)

    /// Draws the current state as described under "Rendering".
    public func render() throws -> RGBFrame {
        var canvas = Canvas(width: Self.screenWidth, height: Self.screenHeight)
        let scale = Self.pixelsPerMetre
        let cartX = state.x * scale + Double(Self.screenWidth) / 2
        let axleY = Self.cartCentreHeight + Self.cartHeight / 4
        canvas.fillRect(
            x: cartX - Self.cartWidth / 2, y: Self.cartCentreHeight - Self.cartHeight / 2,
            width: Self.cartWidth, height: Self.cartHeight, color: Self.cartColor)

        // The pole is a rectangle along +y, turned clockwise by the pole angle about the axle.
        let poleLength = scale * (2 * Self.length)
        let halfWidth = Self.poleWidth / 2
        let corners = [(-halfWidth, -halfWidth), (-halfWidth, poleLength - halfWidth),
                       (halfWidth, poleLength - halfWidth), (halfWidth, -halfWidth)]
        let (sine, cosine) = (sin(-state.theta), cos(-state.theta))
        canvas.fillPolygon(
            corners.map { x, y in (x * cosine - y * sine + cartX, x * sine + y * cosine + axleY) },
            color: Self.poleColor)

        // pygame's filled_circle centres on a whole pixel and includes the rim pixels.
        let axle = (x: cartX.rounded(.towardZero) + 0.5, y: axleY.rounded(.towardZero) + 0.5)
        canvas.fillCircle(center: axle, radius: halfWidth.rounded(.towardZero) + 0.5, color: Self.axleColor)
        canvas.horizontalLine(y: Self.cartCentreHeight, x0: 0, x1: Double(Self.screenWidth), color: .black)
        canvas.flipVertically()
        return canvas.frame
    }
}
