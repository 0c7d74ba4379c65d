import Foundation
import GymCore

/// ## Description
/// A two-jointed planar arm moves its fingertip to a randomly placed target. Physics, rewards
/// and the start state follow Gymnasium's `ReacherEnv` v5 on `reacher.xml`, so seeded episodes
/// match it bit for bit.
///
/// ## Action space
/// `Box(-1, 1, (2,), float32)`: torques on the two hinges.
///
/// ## Observation space
/// `Box(-inf, inf, (10,), float64)`: cos and sin of both hinge angles, the target's x and y,
/// both hinges' angular velocities, and the fingertip-minus-target vector's x and y.
///
/// ## Rewards
/// `−‖fingertip − target‖ · reward_dist_weight − Σ action² · reward_control_weight`, the
/// control term in float32 as NumPy computes it.
///
/// ## Starting state
/// Hinges at `init_qpos + U(±0.1)`; the target uniform in the disc of radius 0.2 (drawn from
/// U(±0.2)² until it lies inside); velocities `init_qvel + U(±0.005)`, the target's zero.
///
/// ## Episode end
/// Never terminates. Truncation (applied by the daemon): 50 steps.
///
/// ## Arguments
/// `reward_dist_weight` (1), `reward_control_weight` (1), `frame_skip` (2).
///
/// ## Info
/// Step: `reward_dist`, `reward_ctrl`. Reset: none.
///
/// ## Version history
/// v5 (Gymnasium 1.x), the only version served.
public final class Reacher: FixedStepInfo {
    static let file = "reacher.xml"
    /// Gymnasium's `DEFAULT_CAMERA_CONFIG` (the free camera's overrides; see MuJoCoCamera).
    static let camera = MuJoCoCamera()
    /// The step info's keys, in the order `step` writes them.
    static let infoKeys: [StepInfoKey] = [.number("reward_dist"), .number("reward_ctrl")]
    public var stepInfoKeys: [StepInfoKey] { Self.infoKeys }
    static let defaults: ValueMap = ["reward_dist_weight": .number(1), "reward_control_weight": .number(1), "frame_skip": .integer(2)]
    static let hingeNoise = 0.1
    static let targetRange = 0.2
    static let velocityNoise = 0.005
    /// Rejection sampling of the target ends with probability π/4 a draw; this many failures
    /// in a row (chance below 10⁻⁶⁰⁰) would mean a broken generator, reported rather than looped on.
    static let maxTargetDraws = 1_000

    private let simulation: MuJoCoSimulation
    private let distanceWeight: Double
    private let controlWeight: Double
    private let fingertip: Int
    private let target: Int
    private var random: NumPyGenerator?

    /// Creates the environment from checked kwargs (see "Arguments").
    public init(_ kwargs: ValueMap) throws {
        distanceWeight = try MuJoCoArguments.number(kwargs, "reward_dist_weight", default: 1)
        controlWeight = try MuJoCoArguments.number(kwargs, "reward_control_weight", default: 1)
        simulation = try MuJoCoSimulation(file: Self.file, frameSkip: MuJoCoArguments.frameSkip(kwargs, default: 2))
        fingertip = try simulation.bodyIndex("fingertip")
        target = try simulation.bodyIndex("target")
    }

    /// The registry entry for Reacher-v5.
    public static func spec() throws -> EnvSpec {
        let probe = try MuJoCoSimulation(file: file, frameSkip: 2)
        return EnvSpec(
            id: "Reacher-v5", observationSpace: MuJoCoArguments.observationSpace(4 + (probe.nq - 2) + 2 + 2),
            actionSpace: probe.actionSpace(), maxEpisodeSteps: 50, rewardThreshold: -3.75,
            kwargs: defaults, renderSize: MuJoCoRenderer.renderSize, description: "Move a two-jointed arm's fingertip to a random target."
        ) { kwargs in try Reacher(kwargs) }
    }

    public func reset(seed: UInt64?, options: ValueMap, observation: UnsafeMutableRawBufferPointer) throws -> ValueMap {
        var generator = NumPyGenerator.forReset(continuing: random, seed: seed)
        simulation.resetData()
        let nq = simulation.nq, nv = simulation.nv
        var positions = zip(generator.uniform(low: -Self.hingeNoise, high: Self.hingeNoise, count: nq), simulation.initialPositions).map { $0 + $1 }
        var goal: [Double] = []
        for _ in 0..<Self.maxTargetDraws {
            goal = generator.uniform(low: -Self.targetRange, high: Self.targetRange, count: 2)
            if MuJoCoMath.norm(goal[0], goal[1]) < Self.targetRange { break }
            goal = []
        }
        guard !goal.isEmpty else { throw GymError(.internalError, "no target inside the disc after \(Self.maxTargetDraws) draws") }
        positions[nq - 2] = goal[0]
        positions[nq - 1] = goal[1]
        var velocities = zip(simulation.initialVelocities, generator.uniform(low: -Self.velocityNoise, high: Self.velocityNoise, count: nv)).map { $0 + $1 }
        random = generator
        velocities[nv - 2] = 0
        velocities[nv - 1] = 0
        simulation.setState(positions: positions, velocities: velocities)
        write(observation)
        return [:]
    }

    public func step(action: UnsafeRawBufferPointer, observation: UnsafeMutableRawBufferPointer,
                     info: UnsafeMutableBufferPointer<Double>) throws -> StepResult {
        simulation.simulate(action: action)
        write(observation)
        let vector = difference()
        let distance = -MuJoCoMath.norm(vector.x, vector.y, vector.z) * distanceWeight
        let control = -MuJoCoMath.actionSquares(action, count: simulation.nu) * Float(controlWeight)
        info[0] = distance
        info[1] = Double(control)
        return StepResult(reward: distance + Double(control), terminated: false)
    }

    /// `get_body_com("fingertip") - get_body_com("target")`.
    private func difference() -> (x: Double, y: Double, z: Double) {
        let tip = simulation.bodyPosition(fingertip), goal = simulation.bodyPosition(target)
        return (tip.x - goal.x, tip.y - goal.y, tip.z - goal.z)
    }

    /// `render_mode="rgb_array"`: a 480 × 480 frame from Gymnasium's default camera.
    public func render() throws -> RGBFrame { try simulation.render(camera: Self.camera) }

    private func write(_ buffer: UnsafeMutableRawBufferPointer) {
        var writer = ObservationWriter(buffer)
        let qpos = simulation.qpos
        writer.append(cos(qpos[0])); writer.append(cos(qpos[1]))
        writer.append(sin(qpos[0])); writer.append(sin(qpos[1]))
        for index in 2..<simulation.nq { writer.append(qpos[index]) }
        writer.append(simulation.qvel[0]); writer.append(simulation.qvel[1])
        let vector = difference()
        writer.append(vector.x); writer.append(vector.y)
    }
}
