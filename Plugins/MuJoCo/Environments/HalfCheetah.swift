import GymCore

/// ## Description
/// A planar cheetah of nine links and eight joints (two paws) runs forward by applying
/// torques to its six leg joints. Physics, rewards and reset noise follow Gymnasium's
/// `HalfCheetahEnv` v5 on the same MuJoCo model (`half_cheetah.xml`), so seeded episodes
/// match it bit for bit.
///
/// ## Action space
/// `Box(-1, 1, (6,), float32)`: torques on the back thigh, shin, foot and the front thigh,
/// shin, foot.
///
/// ## Observation space
/// `Box(-inf, inf, (17,), float64)`: `qpos[1:]` (root z, root angle, six joint angles) then
/// `qvel` (9 velocities). The root x is left out, as by default in Gymnasium (see "Arguments").
///
/// ## Rewards
/// `forward_reward_weight · Δx/dt − ctrl_cost_weight · Σ action²`, the control cost in
/// float32 as NumPy computes it.
///
/// ## Starting state
/// `init_qpos + U(-reset_noise_scale, reset_noise_scale)` and
/// `init_qvel + reset_noise_scale · N(0, 1)`, from the seeded NumPy generator.
///
/// ## Episode end
/// Never terminates. Truncation (applied by the daemon): 1000 steps.
///
/// ## Arguments
/// `forward_reward_weight` (1.0), `ctrl_cost_weight` (0.1), `reset_noise_scale` (0.1),
/// `exclude_current_positions_from_observation` (true; false is refused: it would change the
/// registered observation shape), `frame_skip` (5).
///
/// ## Info
/// Step: `x_position`, `x_velocity`, `reward_forward`, `reward_ctrl`. Reset: `x_position`.
///
/// ## Version history
/// v5 (Gymnasium 1.x), the only version served.
public final class HalfCheetah: FixedStepInfo {
    static let file = "half_cheetah.xml"
    /// Gymnasium's `DEFAULT_CAMERA_CONFIG` (the free camera's overrides; see MuJoCoCamera).
    static let camera = MuJoCoCamera(distance: 4.0)
    /// The step info's keys, in the order `step` writes them.
    static let infoKeys: [StepInfoKey] = [.number("x_position"), .number("x_velocity"), .number("reward_forward"), .number("reward_ctrl")]
    public var stepInfoKeys: [StepInfoKey] { Self.infoKeys }
    static let defaults: ValueMap = [
        "forward_reward_weight": .number(1.0), "ctrl_cost_weight": .number(0.1), "reset_noise_scale": .number(0.1),
        "exclude_current_positions_from_observation": .flag(true), "frame_skip": .integer(5),
    ]

    private let simulation: MuJoCoSimulation
    private let forwardRewardWeight: Double
    private let controlCostWeight: Double
    private let resetNoiseScale: Double
    private var random: NumPyGenerator?

    /// Creates the environment from checked kwargs (see "Arguments").
    public init(_ kwargs: ValueMap) throws {
        forwardRewardWeight = try MuJoCoArguments.number(kwargs, "forward_reward_weight", default: 1.0)
        controlCostWeight = try MuJoCoArguments.number(kwargs, "ctrl_cost_weight", default: 0.1)
        resetNoiseScale = try MuJoCoArguments.number(kwargs, "reset_noise_scale", default: 0.1)
        try MuJoCoArguments.requireFixedShape(kwargs)
        simulation = try MuJoCoSimulation(file: Self.file, frameSkip: MuJoCoArguments.frameSkip(kwargs, default: 5))
    }

    /// The registry entry for HalfCheetah-v5.
    public static func spec() throws -> EnvSpec {
        let probe = try MuJoCoSimulation(file: file, frameSkip: 5)
        return EnvSpec(
            id: "HalfCheetah-v5", observationSpace: MuJoCoArguments.observationSpace(probe.nq + probe.nv - 1),
            actionSpace: probe.actionSpace(), maxEpisodeSteps: 1000, rewardThreshold: 4800,
            kwargs: defaults, renderSize: MuJoCoRenderer.renderSize, description: "Make a planar cheetah run forward as fast as possible."
        ) { kwargs in try HalfCheetah(kwargs) }
    }

    public func reset(seed: UInt64?, options: ValueMap, observation: UnsafeMutableRawBufferPointer) throws -> ValueMap {
        simulation.resetWithNoise(scale: resetNoiseScale, velocityNoise: .scaledStandardNormal, random: &random, seed: seed)
        write(observation)
        return ["x_position": .number(simulation.qpos[0])]
    }

    public func step(action: UnsafeRawBufferPointer, observation: UnsafeMutableRawBufferPointer,
                     info: UnsafeMutableBufferPointer<Double>) throws -> StepResult {
        let before = simulation.qpos[0]
        simulation.simulate(action: action)
        let after = simulation.qpos[0]
        let velocity = (after - before) / simulation.dt
        write(observation)
        let forward = forwardRewardWeight * velocity
        let control = MuJoCoMath.controlCost(weight: controlCostWeight, action: action, count: simulation.nu)
        info[0] = after
        info[1] = velocity
        info[2] = forward
        info[3] = Double(-control)
        return StepResult(reward: forward - Double(control), terminated: false)
    }

    /// `render_mode="rgb_array"`: a 480 × 480 frame from Gymnasium's default camera.
    public func render() throws -> RGBFrame { try simulation.render(camera: Self.camera) }

    private func write(_ buffer: UnsafeMutableRawBufferPointer) {
        var writer = ObservationWriter(buffer)
        writer.append(simulation.qpos, from: 1)
        writer.append(simulation.qvel)
    }
}
