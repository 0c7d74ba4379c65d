import Foundation
import GymCore

/// ## Description
/// A cart on a rail carries two poles hinged end to end; pushing the cart keeps them upright.
/// Physics, rewards and reset noise follow Gymnasium's `InvertedDoublePendulumEnv` v5 on
/// `inverted_double_pendulum.xml`, so seeded episodes match it bit for bit.
///
/// ## Action space
/// `Box(-1, 1, (1,), float32)`: the force on the cart.
///
/// ## Observation space
/// `Box(-inf, inf, (9,), float64)`: cart position, sin and cos of both hinge angles, the three
/// velocities clipped to ±10, and the cart's constraint force clipped to ±10.
///
/// ## Rewards
/// `healthy_reward` while upright, minus `0.01·x² + (y − 2)²` (the tip's distance from upright)
/// and `0.001·v₁² + 0.005·v₂²` (the hinges' speed); squares through libm's `pow` as NumPy's `**`.
///
/// ## Starting state
/// `init_qpos + U(±reset_noise_scale)`, `init_qvel + reset_noise_scale · N(0, 1)`.
///
/// ## Episode end
/// Terminates when the tip's height y ≤ 1. Truncation (applied by the daemon): 1000 steps.
///
/// ## Arguments
/// `healthy_reward` (10.0), `reset_noise_scale` (0.1), `frame_skip` (5).
///
/// ## Info
/// Step: `reward_survive`, `distance_penalty`, `velocity_penalty`. Reset: none.
///
/// ## Version history
/// v5 (Gymnasium 1.x), the only version served.
public final class InvertedDoublePendulum: FixedStepInfo {
    static let file = "inverted_double_pendulum.xml"
    /// Gymnasium's `DEFAULT_CAMERA_CONFIG` (the free camera's overrides; see MuJoCoCamera).
    static let camera = MuJoCoCamera()
    /// The step info's keys, in the order `step` writes them.
    static let infoKeys: [StepInfoKey] = [.number("reward_survive"), .number("distance_penalty"), .number("velocity_penalty")]
    public var stepInfoKeys: [StepInfoKey] { Self.infoKeys }
    static let defaults: ValueMap = ["healthy_reward": .number(10.0), "reset_noise_scale": .number(0.1), "frame_skip": .integer(5)]
    /// Observed velocities and the constraint force are clipped to ±10.
    static let clipBound = 10.0
    /// The episode ends once the tip is this low.
    static let minimumTipHeight = 1.0

    private let simulation: MuJoCoSimulation
    private let healthyReward: Double
    private let resetNoiseScale: Double
    private var random: NumPyGenerator?

    /// Creates the environment from checked kwargs (see "Arguments").
    public init(_ kwargs: ValueMap) throws {
        healthyReward = try MuJoCoArguments.number(kwargs, "healthy_reward", default: 10.0)
        resetNoiseScale = try MuJoCoArguments.number(kwargs, "reset_noise_scale", default: 0.1)
        simulation = try MuJoCoSimulation(file: Self.file, frameSkip: MuJoCoArguments.frameSkip(kwargs, default: 5))
    }

    /// The registry entry for InvertedDoublePendulum-v5.
    public static func spec() throws -> EnvSpec {
        let probe = try MuJoCoSimulation(file: file, frameSkip: 5)
        return EnvSpec(
            id: "InvertedDoublePendulum-v5", observationSpace: MuJoCoArguments.observationSpace(1 + 2 * (probe.nq - 1) + probe.nv + 1),
            actionSpace: probe.actionSpace(), maxEpisodeSteps: 1000, rewardThreshold: 9100,
            kwargs: defaults, renderSize: MuJoCoRenderer.renderSize, description: "Keep two poles, hinged end to end, upright by pushing their cart."
        ) { kwargs in try InvertedDoublePendulum(kwargs) }
    }

    public func reset(seed: UInt64?, options: ValueMap, observation: UnsafeMutableRawBufferPointer) throws -> ValueMap {
        simulation.resetWithNoise(scale: resetNoiseScale, velocityNoise: .scaledStandardNormal, random: &random, seed: seed)
        write(observation)
        return [:]
    }

    public func step(action: UnsafeRawBufferPointer, observation: UnsafeMutableRawBufferPointer,
                     info: UnsafeMutableBufferPointer<Double>) throws -> StepResult {
        simulation.simulate(action: action)
        let sites = simulation.data.pointee.site_xpos!
        let (x, y) = (sites[0], sites[2])
        write(observation)
        let terminated = y <= Self.minimumTipHeight
        let pow = MuJoCoMath.pow
        let (v1, v2) = (simulation.qvel[1], simulation.qvel[2])
        let distancePenalty = 0.01 * pow(x, 2) + pow(y - 2, 2)
        let velocityPenalty = 0.001 * pow(v1, 2) + 0.005 * pow(v2, 2)
        let alive = healthyReward * (terminated ? 0 : 1)
        info[0] = alive
        info[1] = -distancePenalty
        info[2] = -velocityPenalty
        return StepResult(reward: alive - distancePenalty - velocityPenalty, terminated: terminated)
    }

    /// `render_mode="rgb_array"`: a 480 × 480 frame from Gymnasium's default camera.
    public func render() throws -> RGBFrame { try simulation.render(camera: Self.camera) }

    private func write(_ buffer: UnsafeMutableRawBufferPointer) {
        var writer = ObservationWriter(buffer)
        let qpos = simulation.qpos
        writer.append(qpos[0])
        for index in 1..<simulation.nq { writer.append(sin(qpos[index])) }
        for index in 1..<simulation.nq { writer.append(cos(qpos[index])) }
        writer.appendClipped(simulation.qvel, bound: Self.clipBound)
        writer.append(MuJoCoMath.clip(simulation.data.pointee.qfrc_constraint[0], -Self.clipBound, Self.clipBound))
    }
}
