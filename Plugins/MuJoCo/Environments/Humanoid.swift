import GymCore

/// ## Description
/// A 3D bipedal humanoid (torso, abdomen, arms and legs) walks forward by applying torques to
/// its 17 joints. Physics, rewards, costs, health rules and reset noise follow Gymnasium's
/// `HumanoidEnv` v5 on `humanoid.xml`, so seeded episodes match it bit for bit.
///
/// ## Action space
/// `Box(-0.4, 0.4, (17,), float32)`: torques on the abdomen, hips, knees, shoulders and elbows.
///
/// ## Observation space
/// `Box(-inf, inf, (348,), float64)`: `qpos[2:]` (22), `qvel` (23), then per body but the world
/// `cinert` (130) and `cvel` (78), `qfrc_actuator[6:]` (17) and `cfrc_ext` (78).
///
/// ## Rewards
/// `healthy_reward · healthy + forward_reward_weight · Δx/dt − ctrl_cost_weight · Σ ctrl²
/// − min(contact_cost_weight · Σ cfrc_ext², 10)`; x is the mass centre's.
///
/// ## Starting state
/// `init_qpos + U(±reset_noise_scale)`, `init_qvel + U(±reset_noise_scale)`.
///
/// ## Episode end
/// Terminates when unhealthy (with `terminate_when_unhealthy`): healthy means the root z in
/// (1.0, 2.0). Truncation (applied by the daemon): 1000 steps.
///
/// ## Arguments
/// `forward_reward_weight` (1.25), `ctrl_cost_weight` (0.1), `contact_cost_weight` (5e-7),
/// `healthy_reward` (5.0), `terminate_when_unhealthy` (true), `reset_noise_scale` (0.01),
/// `frame_skip` (5); `exclude_current_positions_from_observation` and the four
/// `include_*_in_observation` flags only true (false would change the registered shape).
/// `contact_cost_range` and `healthy_z_range` are pairs, which plugin kwargs cannot carry:
/// they keep Gymnasium's defaults.
///
/// ## Info
/// Step: `x_position`, `y_position`, `distance_from_origin`, `x_velocity`, `y_velocity`,
/// `reward_survive`, `reward_forward`, `reward_ctrl`, `reward_contact`. Reset: `x_position`,
/// `y_position`, `distance_from_origin`. Gymnasium's array values `tendon_length` and
/// `tendon_velocity` are not carried: plugin info values are scalars.
///
/// ## Version history
/// v5 (Gymnasium 1.x), the only version served.
public final class Humanoid: FixedStepInfo {
    static let file = "humanoid.xml"
    /// Gymnasium's `DEFAULT_CAMERA_CONFIG` (the free camera's overrides; see MuJoCoCamera).
    static let camera = MuJoCoCamera(distance: 4.0, lookat: (0, 0, 2.0), elevation: -20)
    /// The step info's keys, in the order `step` writes them.
    static let infoKeys: [StepInfoKey] = [.number("x_position"), .number("y_position"), .number("distance_from_origin"), .number("x_velocity"), .number("y_velocity"), .number("reward_survive"), .number("reward_forward"), .number("reward_ctrl"), .number("reward_contact")]
    public var stepInfoKeys: [StepInfoKey] { Self.infoKeys }
    static let shapeFlags = [
        "exclude_current_positions_from_observation", "include_cinert_in_observation", "include_cvel_in_observation",
        "include_qfrc_actuator_in_observation", "include_cfrc_ext_in_observation",
    ]
    static let defaults: ValueMap = [
        "forward_reward_weight": .number(1.25), "ctrl_cost_weight": .number(0.1), "contact_cost_weight": .number(5e-7),
        "healthy_reward": .number(5.0), "terminate_when_unhealthy": .flag(true), "reset_noise_scale": .number(0.01),
        "frame_skip": .integer(5),
    ].merging(shapeFlags.map { ($0, Value.flag(true)) }) { first, _ in first }
    static let healthyZ = (low: 1.0, high: 2.0)
    static let contactCostRange = (low: -Double.infinity, high: 10.0)

    private let simulation: MuJoCoSimulation
    private let forwardRewardWeight: Double
    private let controlCostWeight: Double
    private let contactCostWeight: Double
    private let healthyReward: Double
    private let terminateWhenUnhealthy: Bool
    private let resetNoiseScale: Double
    private var random: NumPyGenerator?

    /// Creates the environment from checked kwargs (see "Arguments").
    public init(_ kwargs: ValueMap) throws {
        forwardRewardWeight = try MuJoCoArguments.number(kwargs, "forward_reward_weight", default: 1.25)
        controlCostWeight = try MuJoCoArguments.number(kwargs, "ctrl_cost_weight", default: 0.1)
        contactCostWeight = try MuJoCoArguments.number(kwargs, "contact_cost_weight", default: 5e-7)
        healthyReward = try MuJoCoArguments.number(kwargs, "healthy_reward", default: 5.0)
        terminateWhenUnhealthy = try MuJoCoArguments.flag(kwargs, "terminate_when_unhealthy", default: true)
        resetNoiseScale = try MuJoCoArguments.number(kwargs, "reset_noise_scale", default: 0.01)
        for flag in Self.shapeFlags { try MuJoCoArguments.requireFlag(kwargs, flag) }
        simulation = try MuJoCoSimulation(file: Self.file, frameSkip: MuJoCoArguments.frameSkip(kwargs, default: 5),
                                              readsContactForces: true)
    }

    /// The registry entry for Humanoid-v5.
    public static func spec() throws -> EnvSpec {
        let probe = try MuJoCoSimulation(file: file, frameSkip: 5)
        return EnvSpec(
            id: "Humanoid-v5", observationSpace: MuJoCoArguments.observationSpace(HumanoidObservation.count(probe)),
            actionSpace: probe.actionSpace(), maxEpisodeSteps: 1000, rewardThreshold: nil,
            kwargs: defaults, renderSize: MuJoCoRenderer.renderSize, description: "Make a 3D humanoid walk forward as fast as possible without falling."
        ) { kwargs in try Humanoid(kwargs) }
    }

    public func reset(seed: UInt64?, options: ValueMap, observation: UnsafeMutableRawBufferPointer) throws -> ValueMap {
        simulation.resetWithNoise(scale: resetNoiseScale, velocityNoise: .uniform, random: &random, seed: seed)
        HumanoidObservation.write(simulation, into: observation)
        let (x, y) = (simulation.qpos[0], simulation.qpos[1])
        return ["x_position": .number(x), "y_position": .number(y), "distance_from_origin": .number(MuJoCoMath.norm(x, y))]
    }

    public func step(action: UnsafeRawBufferPointer, observation: UnsafeMutableRawBufferPointer,
                     info: UnsafeMutableBufferPointer<Double>) throws -> StepResult {
        let before = simulation.massCenter()
        simulation.simulate(action: action)
        let after = simulation.massCenter()
        let xVelocity = (after.x - before.x) / simulation.dt
        let yVelocity = (after.y - before.y) / simulation.dt
        HumanoidObservation.write(simulation, into: observation)
        let forward = forwardRewardWeight * xVelocity
        let z = simulation.qpos[2]
        let healthy = Self.healthyZ.low < z && z < Self.healthyZ.high
        let survive = healthy ? healthyReward : 0 * healthyReward
        let control = HumanoidObservation.weightedSquares(controlCostWeight, simulation.controls)
        let contact = MuJoCoMath.clip(HumanoidObservation.weightedSquares(contactCostWeight, simulation.externalForces),
                                      Self.contactCostRange.low, Self.contactCostRange.high)
        let reward = (forward + survive) - (control + contact)
        let (x, y) = (simulation.qpos[0], simulation.qpos[1])
        info[0] = x
        info[1] = y
        info[2] = MuJoCoMath.norm(x, y)
        info[3] = xVelocity
        info[4] = yVelocity
        info[5] = survive
        info[6] = forward
        info[7] = -control
        info[8] = -contact
        return StepResult(reward: reward, terminated: !healthy && terminateWhenUnhealthy)
    }

    /// `render_mode="rgb_array"`: a 480 × 480 frame from Gymnasium's default camera.
    public func render() throws -> RGBFrame { try simulation.render(camera: Self.camera) }
}
