import Foundation
import GymCore

/// ## Description
/// A small object flies rightwards at constant speed through the square [-1, 1]² under
/// gravity, in the manner of Flappy Bird without pipes: it must cross the right edge without
/// touching the top or bottom. Each step the agent either lets it fall or makes it jump.
///
/// ## Action space
/// `Discrete(2)`: 0 lets it fall (`vy -= gravity`), 1 makes it jump (`vy = jump_speed`).
///
/// ## Observation space
/// `Box(-inf, inf, (2,), float32)`:
///
/// | index | observation          | min  | max |
/// |-------|----------------------|------|-----|
/// | 0     | height y             | -inf | inf |
/// | 1     | vertical velocity vy | -inf | inf |
///
/// The bounds are unbounded because the step that ends an episode by leaving the square
/// reports the height outside [-1, 1], and the velocity has no natural limit. The horizontal
/// position is not observed: it is the step count times `speed`.
///
/// ## Transition
/// The action sets vy (see above), then `x += speed` and `y += vy`, in float64.
///
/// ## Rewards
/// +1 on the step that crosses the right edge (x > 1) inside the square, -1 on the step that
/// leaves it through the top or bottom (y > 1 or y < -1), 0 otherwise. Leaving through the top
/// or bottom on the crossing step counts as a crash.
///
/// ## Starting state
/// x = -1, y = 0, vy drawn from N(0, noise²). The normal draw is a Box–Muller transform of two
/// doubles of the seeded NumPy-compatible generator, so it is deterministic per seed but not
/// NumPy's `standard_normal`.
///
/// ## Episode end
/// Termination: crossing the right edge (success) or leaving through the top or bottom (crash).
/// With the defaults a success takes 40 steps (forty additions of 0.05 to -1 exceed 1 by
/// rounding). Truncation (applied by the daemon from the registry): 100 steps.
///
/// ## Arguments
/// `gravity` (default 0.2), `jump_speed` (0.2), `speed` (horizontal speed per step, 0.05) and
/// `noise` (standard deviation of the initial vy, 0.1).
///
/// ## Rendering
/// 400×400: the square with a grey entry edge, red top and bottom, and a green exit edge; the
/// flyer as a blue disc and its recent path as a light blue line.
///
/// ## Version history
/// v0: initial release.
public final class Flyer: Environment {
    /// Default `gravity`: the fall in vy per step.
    public static let defaultGravity = 0.2
    /// Default `jump_speed`: the vy a jump sets.
    public static let defaultJumpSpeed = 0.2
    /// Default `speed`: the rightward move per step.
    public static let defaultSpeed = 0.05
    /// Default `noise`: the standard deviation of the initial vy.
    public static let defaultNoise = 0.1
    static let startX = -1.0
    static let startY = 0.0
    /// Half the side of the square.
    static let halfSide = 1.0

    /// The observation space: height and vertical velocity, unbounded.
    public static let observationSpace: Space = .box(low: -.infinity, high: .infinity, shape: [2], dtype: .float32)

    private let gravity: Double
    private let jumpSpeed: Double
    private let speed: Double
    private let noise: Double
    private var x = Flyer.startX
    private var y = Flyer.startY
    private var vy = 0.0
    private var random: NumPyGenerator?
    /// Recent positions, oldest overwritten first; allocated once so stepping allocates nothing.
    private var trail: [(x: Double, y: Double)]
    private var trailCount = 0
    private var trailNext = 0

    /// Creates a flyer; see the spec sheet for the meaning of the constants.
    public init(gravity: Double = Flyer.defaultGravity, jumpSpeed: Double = Flyer.defaultJumpSpeed,
                speed: Double = Flyer.defaultSpeed, noise: Double = Flyer.defaultNoise) throws {
        for (name, value) in [("gravity", gravity), ("jump_speed", jumpSpeed), ("speed", speed), ("noise", noise)]
        where !value.isFinite {
            throw GymError(.invalidArgument, "Flyer-v0 kwarg \(name) must be finite, got \(value)")
        }
        guard speed > 0 else { throw GymError(.invalidArgument, "Flyer-v0 kwarg speed must be positive, got \(speed)") }
        guard noise >= 0 else { throw GymError(.invalidArgument, "Flyer-v0 kwarg noise must be non-negative, got \(noise)") }
        self.gravity = gravity
        self.jumpSpeed = jumpSpeed
        self.speed = speed
        self.noise = noise
        trail = Array(repeating: (Flyer.startX, Flyer.startY), count: Self.trailCapacity)
    }

    /// The registry entry for Flyer-v0.
    public static func spec() -> EnvSpec {
        EnvSpec(
            id: "Flyer-v0", observationSpace: observationSpace, actionSpace: .discrete(n: 2),
            maxEpisodeSteps: 100, rewardThreshold: 0.9,
            kwargs: [
                "gravity": .number(defaultGravity), "jump_speed": .number(defaultJumpSpeed),
                "speed": .number(defaultSpeed), "noise": .number(defaultNoise),
            ],
            renderSize: (screenSize, screenSize),
            description: "Fly through a square under gravity by choosing when to jump."
        ) { kwargs in
            try Flyer(
                gravity: kwargs["gravity"]?.doubleValue ?? defaultGravity,
                jumpSpeed: kwargs["jump_speed"]?.doubleValue ?? defaultJumpSpeed,
                speed: kwargs["speed"]?.doubleValue ?? defaultSpeed,
                noise: kwargs["noise"]?.doubleValue ?? defaultNoise)
        }
    }

    /// Draws a start state as in "Starting state"; a seed restarts the NumPy-compatible generator.
    public func reset(seed: UInt64?, options: ValueMap, observation: UnsafeMutableRawBufferPointer) throws -> ValueMap {
        var generator = NumPyGenerator.forReset(continuing: random, seed: seed)
        vy = noise * Self.standardNormal(&generator)
        random = generator
        x = Self.startX
        y = Self.startY
        trailCount = 0
        trailNext = 0
        remember()
        write(observation)
        return [:]
    }

    /// Box–Muller: one standard normal from two uniform doubles (1 - u keeps the log finite).
    static func standardNormal(_ generator: inout NumPyGenerator) -> Double {
        let radius = (-2 * log(1 - generator.random())).squareRoot()
        return radius * cos(2 * Double.pi * generator.random())
    }

    @inline(__always)
    private func write(_ observation: UnsafeMutableRawBufferPointer) {
        observation.storeBytes(of: Float(y), toByteOffset: 0, as: Float.self)
        observation.storeBytes(of: Float(vy), toByteOffset: 4, as: Float.self)
    }

    /// Applies one action and writes the next observation; time limits are the daemon's.
    public func step(action: UnsafeRawBufferPointer, observation: UnsafeMutableRawBufferPointer) throws -> StepResult {
        switch action.loadUnaligned(as: Int64.self) {
        case 0: vy -= gravity
        case 1: vy = jumpSpeed
        case let other: throw GymError(.invalidAction, "Flyer-v0 takes actions 0 or 1, got \(other)")
        }
        x += speed
        y += vy
        remember()
        write(observation)
        if y > Self.halfSide || y < -Self.halfSide { return StepResult(reward: -1, terminated: true) }
        if x > Self.halfSide { return StepResult(reward: 1, terminated: true) }
        return StepResult(reward: 0, terminated: false)
    }

    @inline(__always)
    private func remember() {
        trail[trailNext] = (x, y)
        trailNext = (trailNext + 1) % Self.trailCapacity
        trailCount = min(trailCount + 1, Self.trailCapacity)
    }

    // Rendering constants, in pixels unless named otherwise.
    static let screenSize = 400
    static let trailCapacity = 128
    /// Half the width of the world shown, so the flyer stays visible just outside the square.
    static let viewHalfWidth = 1.2
    /// Flyer radius in world units.
    static let flyerRadius = 0.045
    static let edgeThickness = 3.0
    static let entryColor = RGB(160, 160, 160)
    static let crashColor = RGB(214, 69, 65)
    static let goalColor = RGB(46, 160, 67)
    static let flyerColor = RGB(31, 86, 180)
    static let trailColor = RGB(150, 185, 235)

    /// Draws the current state as described under "Rendering".
    public func render() throws -> RGBFrame {
        var canvas = Canvas(width: Self.screenSize, height: Self.screenSize)
        let scale = Double(Self.screenSize) / (2 * Self.viewHalfWidth)
        let centre = Double(Self.screenSize) / 2
        func pixel(_ worldX: Double, _ worldY: Double) -> Canvas.Point { (worldX * scale + centre, worldY * scale + centre) }
        let side = Self.halfSide
        let corners = (bottomLeft: pixel(-side, -side), topLeft: pixel(-side, side), topRight: pixel(side, side), bottomRight: pixel(side, -side))
        canvas.line(from: corners.bottomLeft, to: corners.topLeft, thickness: Self.edgeThickness, color: Self.entryColor)
        canvas.line(from: corners.topLeft, to: corners.topRight, thickness: Self.edgeThickness, color: Self.crashColor)
        canvas.line(from: corners.bottomLeft, to: corners.bottomRight, thickness: Self.edgeThickness, color: Self.crashColor)
        canvas.line(from: corners.bottomRight, to: corners.topRight, thickness: Self.edgeThickness, color: Self.goalColor)

        // Oldest to newest, so the path reads in flight order.
        let oldest = (trailNext - trailCount + Self.trailCapacity) % Self.trailCapacity
        var previous: Canvas.Point?
        for offset in 0..<trailCount {
            let point = trail[(oldest + offset) % Self.trailCapacity]
            let here = pixel(point.x, point.y)
            if let previous { canvas.line(from: previous, to: here, thickness: 2, color: Self.trailColor) }
            previous = here
        }
        canvas.fillCircle(center: pixel(x, y), radius: Self.flyerRadius * scale, color: Self.flyerColor)
        canvas.flipVertically()
        return canvas.frame
    }
}
