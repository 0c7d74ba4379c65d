import Foundation
import GymCore

/// ## Description
/// The mountain car of `MountainCar` with a continuous engine: the car must rock itself out
/// of a sinusoidal valley to the flag on the right hill, and pays for the fuel it burns
/// (Moore, 1990). Equations, constants and NumPy's dtype promotions follow Gymnasium's
/// `Continuous_MountainCarEnv`, so seeded episodes match it bit for bit; note that Gymnasium
/// keeps this state as float32 after the first step, and this class reproduces every float32
/// rounding that causes.
///
/// ## Action space
/// `Box(-1.0, 1.0, (1,), float32)`: the engine force, clipped to [-1, 1] and multiplied by a
/// power of 0.0015.
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
/// `velocity += force·0.0015 - 0.0025·cos(3·position)`, limited to ±0.07;
/// `position += velocity`, limited to [-1.2, 0.6]. Hitting the left wall while moving left
/// stops the car.
///
/// ## Rewards
/// `-0.1·action²` every step, plus 100 on the step that reaches the goal.
///
/// ## Starting state
/// Position uniform in [-0.6, -0.4] (reset options `low`/`high` change the range), velocity 0.
/// The options must be finite numbers in [-1000, 1000] with low ≤ high (INVALID_ARGUMENT otherwise).
///
/// ## Episode end
/// Termination: position ≥ 0.45 and velocity ≥ `goal_velocity`.
/// Truncation (applied by the daemon from the registry): 999 steps.
///
/// ## Arguments
/// `goal_velocity` (float, default 0): the least velocity that counts at the flag.
///
/// ## Rendering
/// 600×400, the same picture as MountainCar-v0 with the flag at 0.45.
///
/// ## Version history
/// v0: initial release.
public final class MountainCarContinuous: Environment {
    static let minAction = -1.0
    static let maxAction = 1.0
    static let minPosition = -1.2
    static let maxPosition = 0.6
    static let maxSpeed = 0.07
    static let goalPosition = 0.45
    static let power = 0.0015
    static let gravity = 0.0025
    /// The action space: one engine force.
    public static let actionSpace: Space = .box(low: minAction, high: maxAction, shape: [1], dtype: .float32)

    /// Where a value lives at one point of Gymnasium's step, which decides how NumPy 2
    /// rounds arithmetic and comparisons with Python numbers (NEP 50).
    private enum Kind {
        /// `np.float64`: wins every promotion.
        case double
        /// `np.float32`: Python numbers meeting it are rounded to float32 first.
        case single
        /// A Python float or int: takes the other operand's type.
        case python
    }

    private let goalVelocity: Double
    private var position = 0.0
    private var velocity = 0.0
    /// False right after reset (Gymnasium's state is then float64), true after any step.
    private var stateIsSingle = false
    private var random: NumPyGenerator?
    private let pow = NumPyMath.pow

    /// Creates a continuous mountain car; the flag counts only at velocity ≥ `goalVelocity`.
    public init(goalVelocity: Double = 0) {
        self.goalVelocity = goalVelocity
    }

    /// The registry entry for MountainCarContinuous-v0.
    public static func spec() -> EnvSpec {
        EnvSpec(
            id: "MountainCarContinuous-v0", observationSpace: MountainCar.observationSpace, actionSpace: actionSpace,
            maxEpisodeSteps: 999, rewardThreshold: 90,
            kwargs: ["goal_velocity": .number(0)], renderSize: (MountainCarPicture.width, MountainCarPicture.height),
            description: "Drive an underpowered car up a hill by rocking it (continuous force, fuel cost)."
        ) { kwargs in
            MountainCarContinuous(goalVelocity: kwargs["goal_velocity"]?.doubleValue ?? 0)
        }
    }

    /// Draws a start state as in "Starting state"; a seed restarts the NumPy-compatible generator.
    public func reset(seed: UInt64?, options: ValueMap, observation: UnsafeMutableRawBufferPointer) throws -> ValueMap {
        position = try MountainCar.startPosition(options: options, seed: seed, random: &random)
        velocity = 0
        stateIsSingle = false
        write(observation)
        return [:]
    }

    @inline(__always)
    private func write(_ observation: UnsafeMutableRawBufferPointer) {
        MountainCar.write(position: position, velocity: velocity, into: observation)
    }

    /// Applies one action and writes the next observation; time limits are the daemon's.
    public func step(action: UnsafeRawBufferPointer, observation: UnsafeMutableRawBufferPointer) throws -> StepResult {
        let action = action.loadUnaligned(as: Float.self)
        let stateKind: Kind = stateIsSingle ? .single : .double

        // `min(max(action, -1.0), 1.0)` returns the float32 action itself when it is in range,
        // and a Python float only when it clips.
        let push: (value: Double, kind: Kind)
        if Double(action) < Self.minAction {
            push = (Self.minAction * Self.power, .python)
        } else if Double(action) > Self.maxAction {
            push = (Self.maxAction * Self.power, .python)
        } else {
            push = (Double(action * Float(Self.power)), .single)
        }
        let slopeArgument = stateIsSingle ? Double(Float(3) * Float(position)) : 3 * position
        let slope = Self.gravity * cos(slopeArgument)
        let increment = Self.subtract(push, (slope, .python))
        var speed = Self.add((velocity, stateKind), increment)

        if Self.compare(speed, Self.maxSpeed, by: >) { speed = (Self.maxSpeed, .python) }
        if Self.compare(speed, -Self.maxSpeed, by: <) { speed = (-Self.maxSpeed, .python) }
        var place = Self.add((position, stateKind), speed)
        if Self.compare(place, Self.maxPosition, by: >) { place = (Self.maxPosition, .python) }
        if Self.compare(place, Self.minPosition, by: <) { place = (Self.minPosition, .python) }
        if Self.compare(place, Self.minPosition, by: ==) && Self.compare(speed, 0, by: <) { speed = (0, .python) }
        let terminated = Self.compare(place, Self.goalPosition, by: >=) && Self.compare(speed, goalVelocity, by: >=)

        // `reward = 0; reward += 100.0 on success; reward -= math.pow(action, 2) * 0.1`, in float64.
        let reward = (terminated ? 100.0 : 0.0) - pow(Double(action), 2) * 0.1
        position = Double(Float(place.value))
        velocity = Double(Float(speed.value))
        stateIsSingle = true
        write(observation)
        return StepResult(reward: reward, terminated: terminated)
    }

    /// NumPy's result type of a binary operation under NEP 50.
    @inline(__always)
    private static func promote(_ left: Kind, _ right: Kind) -> Kind {
        if left == .double || right == .double { return .double }
        if left == .single || right == .single { return .single }
        return .python
    }

    @inline(__always)
    private static func add(_ left: (value: Double, kind: Kind), _ right: (value: Double, kind: Kind)) -> (value: Double, kind: Kind) {
        let kind = promote(left.kind, right.kind)
        if kind == .single { return (Double(Float(left.value) + Float(right.value)), kind) }
        return (left.value + right.value, kind)
    }

    @inline(__always)
    private static func subtract(_ left: (value: Double, kind: Kind), _ right: (value: Double, kind: Kind)) -> (value: Double, kind: Kind) {
        let kind = promote(left.kind, right.kind)
        if kind == .single { return (Double(Float(left.value) - Float(right.value)), kind) }
        return (left.value - right.value, kind)
    }

    /// A comparison with a Python number: in float32 when the value is a float32.
    @inline(__always)
    private static func compare(_ value: (value: Double, kind: Kind), _ bound: Double, by relation: (Double, Double) -> Bool) -> Bool {
        value.kind == .single ? relation(Double(Float(value.value)), Double(Float(bound))) : relation(value.value, bound)
    }

    /// Draws the current state as described under "Rendering".
    public func render() throws -> RGBFrame {
        MountainCarPicture.draw(position: position, goalPosition: Self.goalPosition)
    }
}
