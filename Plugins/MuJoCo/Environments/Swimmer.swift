import GymCore

/// ## Description
/// A three-link planar swimmer in a viscous fluid moves forward by applying torques to its two
/// rotors. Physics, rewards and reset noise follow Gymnasium's `SwimmerEnv` v5 on
/// `swimmer.xml`, so seeded episodes match it bit for bit.
///
/// ## Action space
/// `Box(-1, 1, (2,), float32)`: torques on the two rotors.
///
/// ## Observation space
/// `Box(-inf, inf, (8,), float64)`: `qpos[2:]` (front tip angle, two rotor angles), then `qvel`
/// (5 velocities).
///
/// ## Rewards
/// `forward_reward_weight · Δx/dt − ctrl_cost_weight · Σ action²` (control cost in float32).
///
/// ## Starting state
/// `init_qpos + U(±reset_noise_scale)`, `init_qvel + U(±reset_noise_scale)`.
///
/// ## Episode end
/// Never terminates. Truncation (applied by the daemon): 1000 steps.
///
/// ## Arguments
/// `forward_reward_weight` (1.0), `ctrl_cost_weight` (0.0001), `reset_noise_scale` (0.1),
/// `exclude_current_positions_from_observation` (true only), `frame_skip` (4).
///
/// ## Info
/// Step: `x_position`, `y_position`, `distance_from_origin`, `x_velocity`, `y_velocity`,
/// `reward_forward`, `reward_ctrl`. Reset: `x_position`, `y_position`, `distance_from_origin`.
///
/// ## Version history
/// v5 (Gymnasium 1.x), the only version served.
public final class Swimmer: FixedStepInfo {
    static let file = "swimmer.xml"
    /// Gymnasium's `DEFAULT_CAMERA_CONFIG` (the free camera's overrides; see MuJoCoCamera).
    static let camera = MuJoCoCamera()
    /// The step info's keys, in the order `step` writes them.
    static let infoKeys: [StepInfoKey] = [.number("x_position"), .number("y_position"), .number("distance_from_origin"), .number("x_velocity"), .number("y_velocity"), .number("reward_forward"), .number("reward_ctrl")]
    public var stepInfoKeys: [StepInfoKey] { Self.infoKeys }
    static let defaults: ValueMap = [
        "forward_reward_weight": .number(1.0), "ctrl_cost_weight": .number(0.0001), "reset_noise_scale": .number(0.1),
        "exclude_current_positions_from_observation": .flag(true), "frame_skip": .integer(4),
    ]

    private let simulation: MuJoCoSimulation
    private let forwardRewardWeight: Double
    private let controlCostWeight: Double
    private let resetNoiseScale: Double
    private var random: NumPyGenerator?

    /// Creates the environment from checked kwargs (see "Arguments").
    public init(_ kwargs: ValueMap) throws {
        forwardRewardWeight = try MuJoCoArguments.number(kwargs, "forward_reward_weight", default: 1.0)
        controlCostWeight = try MuJoCoArguments.number(kwargs, "ctrl_cost_weight", default: 0.0001)
        resetNoiseScale = try MuJoCoArguments.number(kwargs, "reset_noise_scale", default: 0.1)
        try MuJoCoArguments.requireFixedShape(kwargs)
        simulation = try MuJoCoSimulation(file: Self.file, frameSkip: MuJoCoArguments.frameSkip(kwargs, default: 4))
    }

    /// The registry entry for Swimmer-v5.
    public static func spec() throws -> EnvSpec {
        let probe = try MuJoCoSimulation(file: file, frameSkip: 4)
        return EnvSpec(
            id: "Swimmer-v5", observationSpace: MuJoCoArguments.observationSpace(probe.nq + probe.nv - 2),
            actionSpace: probe.actionSpace(), maxEpisodeSteps: 1000, rewardThreshold: 360,
            kwargs: defaults, renderSize: MuJoCoRenderer.renderSize, description: "Make a three-link swimmer move forward through a viscous fluid."
        ) { kwargs in try Swimmer(kwargs) }
    }

    public func reset(seed: UInt64?, options: ValueMap, observation: UnsafeMutableRawBufferPointer) throws -> ValueMap {
        simulation.resetWithNoise(scale: resetNoiseScale, velocityNoise: .uniform, random: &random, seed: seed)
        write(observation)
        let (x, y) = (simulation.qpos[0], simulation.qpos[1])
        return ["x_position": .number(x), "y_position": .number(y), "distance_from_origin": .number(MuJoCoMath.norm(x, y))]
    }

    public func step(action: UnsafeRawBufferPointer, observation: UnsafeMutableRawBufferPointer,
                     info: UnsafeMutableBufferPointer<Double>) throws -> StepResult {
        let (xBefore, yBefore) = (simulation.qpos[0], simulation.qpos[1])
        simulation.simulate(action: action)
        let (x, y) = (simulation.qpos[0], simulation.qpos[1])
        let xVelocity = (x - xBefore) / simulation.dt
        let yVelocity = (y - yBefore) / simulation.dt
        write(observation)
        let forward = forwardRewardWeight * xVelocity
        let control = MuJoCoMath.controlCost(weight: controlCostWeight, action: action, count: simulation.nu)
        info[0] = x
        info[1] = y
        info[2] = MuJoCoMath.norm(x, y)
        info[3] = xVelocity
        info[4] = yVelocity
        info[5] = forward
        info[6] = Double(-control)
        return StepResult(reward: forward - Double(control), terminated: false)
    }

    /// `render_mode="rgb_array"`: a 480 × 480 frame from Gymnasium's default camera.
    public func render() throws -> RGBFrame { try simulation.render(camera: Self.camera) }

    private func write(_ buffer: UnsafeMutableRawBufferPointer) {
        var writer = ObservationWriter(buffer)
        writer.append(simulation.qpos, from: 2)
        writer.append(simulation.qvel)
    }
}
