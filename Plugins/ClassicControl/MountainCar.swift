import Foundation
import GymCore

/// ## Description
/// A car sits at the bottom of a sinusoidal valley and must reach the flag on top of the right
/// hill, but its engine is too weak to climb straight up: it has to rock back and forth to build
/// momentum (Moore, 1990). This is the discrete-action version. Equations, constants and their
/// float64 evaluation order follow Gymnasium's `MountainCarEnv`, so seeded episodes match it
/// bit for bit.
///
/// ## Action space
/// `Discrete(3)`: 0 accelerates left, 1 does nothing, 2 accelerates right.
///
/// ## Observation space
/// `Box(2,)` float32:
///
/// | index | observation | min   | max  |
/// |-------|-------------|-------|------|
/// | 0     | position    | -1.2  | 0.6  |
/// | 1     | velocity    | -0.07 | 0.07 |
///
/// ## Transition
/// `velocity += (action - 1)·0.001 - cos(3·position)·0.0025`, clipped to ±0.07;
/// `position += velocity`, clipped to [-1.2, 0.6]. Hitting the left wall while moving left
/// stops the car (velocity 0). The height of the track is `sin(3·position)·0.45 + 0.55`.
///
/// ## Rewards
/// -1 for every step.
///
/// ## Starting state
/// Position uniform in [-0.6, -0.4] (reset options `low`/`high` change the range), velocity 0.
/// The options must be finite numbers in [-1000, 1000] with low ≤ high (INVALID_ARGUMENT otherwise).
///
/// ## Episode end
/// Termination: position ≥ 0.5 and velocity ≥ `goal_velocity`.
/// Truncation (applied by the daemon from the registry): 200 steps.
///
/// ## Arguments
/// `goal_velocity` (float, default 0): the least velocity that counts at the flag.
///
/// ## Rendering
/// 600×400 like Gymnasium's picture: the black track curve, a black car tilted with the slope,
/// grey wheels, and a yellow flag at the goal.
///
/// ## Version history
/// v0: initial release.
public final class MountainCar: Environment {
    static let minPosition = -1.2
    static let maxPosition = 0.6
    static let maxSpeed = 0.07
    static let goalPosition = 0.5
    static let force = 0.001
    static let gravity = 0.0025
    static let defaultLow = -0.6
    static let defaultHigh = -0.4

    /// The observation space: position and velocity limits, as float32.
    public static let observationSpace: Space = .box(
        low: [Double(Float(minPosition)), Double(Float(-maxSpeed))],
        high: [Double(Float(maxPosition)), Double(Float(maxSpeed))], shape: [2], dtype: .float32)

    private let goalVelocity: Double
    private var position = 0.0
    private var velocity = 0.0
    private var random: NumPyGenerator?

    /// Creates a mountain car; the flag counts only at velocity ≥ `goalVelocity`.
    public init(goalVelocity: Double = 0) {
        self.goalVelocity = goalVelocity
    }

    /// The registry entry for MountainCar-v0.
    public static func spec() -> EnvSpec {
        EnvSpec(
            id: "MountainCar-v0", observationSpace: observationSpace, actionSpace: .discrete(n: 3),
            maxEpisodeSteps: 200, rewardThreshold: -110,
            kwargs: ["goal_velocity": .number(0)], renderSize: (MountainCarPicture.width, MountainCarPicture.height),
            description: "Drive an underpowered car up a hill by rocking it (discrete pushes)."
        ) { kwargs in
            MountainCar(goalVelocity: kwargs["goal_velocity"]?.doubleValue ?? 0)
        }
    }

    /// Draws a start state as in "Starting state"; a seed restarts the NumPy-compatible generator.
    public func reset(seed: UInt64?, options: ValueMap, observation: UnsafeMutableRawBufferPointer) throws -> ValueMap {
        position = try Self.startPosition(options: options, seed: seed, random: &random)
        velocity = 0
        write(observation)
        return [:]
    }

    @inline(__always)
    private func write(_ observation: UnsafeMutableRawBufferPointer) {
        Self.write(position: position, velocity: velocity, into: observation)
    }

    /// A start position as both mountain cars draw it: uniform in the reset bounds (options `low`
    /// and `high`, default [-0.6, -0.4]) from the reset's generator, which `random` then holds.
    static func startPosition(options: ValueMap, seed: UInt64?, random: inout NumPyGenerator?) throws -> Double {
        let (low, high) = try ClassicControl.resetBounds(options, defaultLow: defaultLow, defaultHigh: defaultHigh)
        var generator = NumPyGenerator.forReset(continuing: random, seed: seed)
        defer { random = generator }
        return generator.uniform(low: low, high: high)
    }

    /// Both mountain cars observe (position, velocity) as float32.
    @inline(__always)
    static func write(position: Double, velocity: Double, into observation: UnsafeMutableRawBufferPointer) {
        observation.storeBytes(of: Float(position), toByteOffset: 0, as: Float.self)
        observation.storeBytes(of: Float(velocity), toByteOffset: 4, as: Float.self)
    }

    /// Applies one action and writes the next observation; time limits are the daemon's.
    public func step(action: UnsafeRawBufferPointer, observation: UnsafeMutableRawBufferPointer) throws -> StepResult {
        let push = action.loadUnaligned(as: Int64.self)
        guard (0...2).contains(push) else { throw GymError(.invalidAction, "MountainCar-v0 takes actions 0, 1 or 2, got \(push)") }
        // Gymnasium adds the two terms first, then adds their sum to the velocity.
        velocity += Double(push - 1) * Self.force + cos(3 * position) * (-Self.gravity)
        velocity = NumPyMath.clip(velocity, -Self.maxSpeed, Self.maxSpeed)
        position += velocity
        position = NumPyMath.clip(position, Self.minPosition, Self.maxPosition)
        if position == Self.minPosition && velocity < 0 { velocity = 0 }
        let terminated = position >= Self.goalPosition && velocity >= goalVelocity
        write(observation)
        return StepResult(reward: -1, terminated: terminated)
    }

    /// Draws the current state as described under "Rendering".
    public func render() throws -> RGBFrame {
        MountainCarPicture.draw(position: position, goalPosition: Self.goalPosition)
    }
}
