import GymCore

/// ## Description
/// A planar one-legged robot (torso, thigh, leg, foot) hops forward by applying torques to its
/// three hinges. Physics, rewards, health rules and reset noise follow Gymnasium's
/// `HopperEnv` v5 on `hopper.xml`, so seeded episodes match it bit for bit.
///
/// ## Action space
/// `Box(-1, 1, (3,), float32)`: torques on the thigh, leg and foot joints.
///
/// ## Observation space
/// `Box(-inf, inf, (11,), float64)`: `qpos[1:]` (z, torso angle, three joint angles), then
/// `qvel` clipped to ±10.
///
/// ## Rewards
/// `healthy_reward · healthy + forward_reward_weight · Δx/dt − ctrl_cost_weight · Σ action²`
/// (control cost in float32).
///
/// ## Starting state
/// `init_qpos + U(±reset_noise_scale)`, `init_qvel + U(±reset_noise_scale)`.
///
/// ## Episode end
/// Terminates when unhealthy (with `terminate_when_unhealthy`): healthy means every element of
/// `state_vector()[2:]` in (-100, 100), z in (0.7, inf) and the torso angle in (-0.2, 0.2).
/// Truncation (applied by the daemon): 1000 steps.
///
/// ## Arguments
/// `forward_reward_weight` (1.0), `ctrl_cost_weight` (0.001), `healthy_reward` (1.0),
/// `terminate_when_unhealthy` (true), `reset_noise_scale` (0.005),
/// `exclude_current_positions_from_observation` (true only), `frame_skip` (4). The range kwargs
/// (`healthy_state_range`, `healthy_z_range`, `healthy_angle_range`) are pairs, which plugin
/// kwargs cannot carry: they keep Gymnasium's defaults.
///
/// ## Info
/// Step: `x_position`, `z_distance_from_origin`, `x_velocity`, `reward_forward`, `reward_ctrl`,
/// `reward_survive`. Reset: `x_position`, `z_distance_from_origin`.
///
/// ## Version history
/// v5 (Gymnasium 1.x), the only version served.
public final class Hopper: FixedStepInfo {
    static let file = "hopper.xml"
    /// Gymnasium's `DEFAULT_CAMERA_CONFIG` (the free camera's overrides; see MuJoCoCamera).
    static let camera = MuJoCoCamera(distance: 3.0, lookat: (0, 0, 1.15), elevation: -20)
    /// The step info's keys, in the order `step` writes them.
    static let infoKeys: [StepInfoKey] = [.number("x_position"), .number("z_distance_from_origin"), .number("x_velocity"), .number("reward_forward"), .number("reward_ctrl"), .number("reward_survive")]
    public var stepInfoKeys: [StepInfoKey] { Self.infoKeys }
    static let defaults: ValueMap = [
        "forward_reward_weight": .number(1.0), "ctrl_cost_weight": .number(0.001), "healthy_reward": .number(1.0),
        "terminate_when_unhealthy": .flag(true), "reset_noise_scale": .number(0.005),
        "exclude_current_positions_from_observation": .flag(true), "frame_skip": .integer(4),
    ]
    static let healthyState = (low: -100.0, high: 100.0)
    static let healthyZ = (low: 0.7, high: Double.infinity)
    static let healthyAngle = (low: -0.2, high: 0.2)
    /// Gymnasium clips observed velocities to ±10.
    static let velocityBound = 10.0

    private let simulation: MuJoCoSimulation
    private let forwardRewardWeight: Double
    private let controlCostWeight: Double
    private let healthyReward: Double
    private let terminateWhenUnhealthy: Bool
    private let resetNoiseScale: Double
    private var random: NumPyGenerator?

    /// Creates the environment from checked kwargs (see "Arguments").
    public init(_ kwargs: ValueMap) throws {
        forwardRewardWeight = try MuJoCoArguments.number(kwargs, "forward_reward_weight", default: 1.0)
        controlCostWeight = try MuJoCoArguments.number(kwargs, "ctrl_cost_weight", default: 0.001)
        healthyReward = try MuJoCoArguments.number(kwargs, "healthy_reward", default: 1.0)
        terminateWhenUnhealthy = try MuJoCoArguments.flag(kwargs, "terminate_when_unhealthy", default: true)
        resetNoiseScale = try MuJoCoArguments.number(kwargs, "reset_noise_scale", default: 0.005)
        try MuJoCoArguments.requireFixedShape(kwargs)
        simulation = try MuJoCoSimulation(file: Self.file, frameSkip: MuJoCoArguments.frameSkip(kwargs, default: 4))
    }

    /// The registry entry for Hopper-v5.
    public static func spec() throws -> EnvSpec {
        let probe = try MuJoCoSimulation(file: file, frameSkip: 4)
        return EnvSpec(
            id: "Hopper-v5", observationSpace: MuJoCoArguments.observationSpace(probe.nq + probe.nv - 1),
            actionSpace: probe.actionSpace(), maxEpisodeSteps: 1000, rewardThreshold: 3800,
            kwargs: defaults, renderSize: MuJoCoRenderer.renderSize, description: "Make a one-legged robot hop forward without falling."
        ) { kwargs in try Hopper(kwargs) }
    }

    public func reset(seed: UInt64?, options: ValueMap, observation: UnsafeMutableRawBufferPointer) throws -> ValueMap {
        simulation.resetWithNoise(scale: resetNoiseScale, velocityNoise: .uniform, random: &random, seed: seed)
        write(observation)
        return ["x_position": .number(simulation.qpos[0]),
                "z_distance_from_origin": .number(simulation.qpos[1] - simulation.initialPositions[1])]
    }

    public func step(action: UnsafeRawBufferPointer, observation: UnsafeMutableRawBufferPointer,
                     info: UnsafeMutableBufferPointer<Double>) throws -> StepResult {
        let before = simulation.qpos[0]
        simulation.simulate(action: action)
        let after = simulation.qpos[0]
        let velocity = (after - before) / simulation.dt
        write(observation)
        let forward = forwardRewardWeight * velocity
        let healthy = isHealthy
        let survive = healthy ? healthyReward : 0 * healthyReward
        let control = MuJoCoMath.controlCost(weight: controlCostWeight, action: action, count: simulation.nu)
        let reward = (forward + survive) - Double(control)
        info[0] = after
        info[1] = simulation.qpos[1] - simulation.initialPositions[1]
        info[2] = velocity
        info[3] = forward
        info[4] = Double(-control)
        info[5] = survive
        return StepResult(reward: reward, terminated: !healthy && terminateWhenUnhealthy)
    }

    /// Gymnasium's `is_healthy`, strict comparisons as there (NaN is unhealthy).
    private var isHealthy: Bool {
        let z = simulation.qpos[1], angle = simulation.qpos[2]
        for index in 2..<simulation.nq where !(Self.healthyState.low < simulation.qpos[index] && simulation.qpos[index] < Self.healthyState.high) {
            return false
        }
        for index in 0..<simulation.nv where !(Self.healthyState.low < simulation.qvel[index] && simulation.qvel[index] < Self.healthyState.high) {
            return false
        }
        return Self.healthyZ.low < z && z < Self.healthyZ.high && Self.healthyAngle.low < angle && angle < Self.healthyAngle.high
    }

    /// `render_mode="rgb_array"`: a 480 × 480 frame from Gymnasium's default camera.
    public func render() throws -> RGBFrame { try simulation.render(camera: Self.camera) }

    private func write(_ buffer: UnsafeMutableRawBufferPointer) {
        var writer = ObservationWriter(buffer)
        writer.append(simulation.qpos, from: 1)
        writer.appendClipped(simulation.qvel, bound: Self.velocityBound)
    }
}
