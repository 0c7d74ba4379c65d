import GymCore

/// ## Description
/// A four-legged ant (a torso and four two-link legs) walks forward by applying torques to its
/// eight hinges. Physics, rewards, contact costs, health rules and reset noise follow
/// Gymnasium's `AntEnv` v5 on `ant.xml`, so seeded episodes match it bit for bit.
///
/// ## Action space
/// `Box(-1, 1, (8,), float32)`: torques on the hip and ankle of each leg.
///
/// ## Observation space
/// `Box(-inf, inf, (105,), float64)`: `qpos[2:]` (13), `qvel` (14), then the external contact
/// forces `cfrc_ext` of every body but the world (13 × 6), clipped to `contact_force_range` (±1).
///
/// ## Rewards
/// `healthy_reward · healthy + forward_reward_weight · Δx/dt − ctrl_cost_weight · Σ action²
/// − contact_cost_weight · Σ clip(cfrc_ext)²`; Δx is the torso's (`main_body`), the control
/// cost is float32 as NumPy computes it.
///
/// ## Starting state
/// `init_qpos + U(±reset_noise_scale)`, `init_qvel + reset_noise_scale · N(0, 1)`.
///
/// ## Episode end
/// Terminates when unhealthy (with `terminate_when_unhealthy`): healthy means the state is
/// finite and the torso's z in [0.2, 1.0]. Truncation (applied by the daemon): 1000 steps.
///
/// ## Arguments
/// `forward_reward_weight` (1), `ctrl_cost_weight` (0.5), `contact_cost_weight` (0.0005),
/// `healthy_reward` (1.0), `main_body` (1, a body index), `terminate_when_unhealthy` (true),
/// `reset_noise_scale` (0.1), `frame_skip` (5); `exclude_current_positions_from_observation`
/// and `include_cfrc_ext_in_observation` only true (false would change the registered shape).
/// `healthy_z_range` and `contact_force_range` are pairs, which plugin kwargs cannot carry:
/// they keep Gymnasium's defaults.
///
/// ## Info
/// Step: `x_position`, `y_position`, `distance_from_origin`, `x_velocity`, `y_velocity`,
/// `reward_forward`, `reward_ctrl`, `reward_contact`, `reward_survive`. Reset: `x_position`,
/// `y_position`, `distance_from_origin`.
///
/// ## Version history
/// v5 (Gymnasium 1.x), the only version served.
public final class Ant: FixedStepInfo {
    static let file = "ant.xml"
    /// Gymnasium's `DEFAULT_CAMERA_CONFIG` (the free camera's overrides; see MuJoCoCamera).
    static let camera = MuJoCoCamera(distance: 4.0)
    /// The step info's keys, in the order `step` writes them.
    static let infoKeys: [StepInfoKey] = [.number("x_position"), .number("y_position"), .number("distance_from_origin"), .number("x_velocity"), .number("y_velocity"), .number("reward_forward"), .number("reward_ctrl"), .number("reward_contact"), .number("reward_survive")]
    public var stepInfoKeys: [StepInfoKey] { Self.infoKeys }
    static let defaults: ValueMap = [
        "forward_reward_weight": .number(1), "ctrl_cost_weight": .number(0.5), "contact_cost_weight": .number(0.0005),
        "healthy_reward": .number(1.0), "main_body": .integer(1), "terminate_when_unhealthy": .flag(true),
        "reset_noise_scale": .number(0.1), "exclude_current_positions_from_observation": .flag(true),
        "include_cfrc_ext_in_observation": .flag(true), "frame_skip": .integer(5),
    ]
    static let healthyZ = (low: 0.2, high: 1.0)
    static let contactForceRange = (low: -1.0, high: 1.0)

    private let simulation: MuJoCoSimulation
    private let forwardRewardWeight: Double
    private let controlCostWeight: Double
    private let contactCostWeight: Double
    private let healthyReward: Double
    private let mainBody: Int
    private let terminateWhenUnhealthy: Bool
    private let resetNoiseScale: Double
    /// The clipped contact forces of the last step, every body (world included), body-major.
    private var contactForces: [Double]
    private var random: NumPyGenerator?

    /// Creates the environment from checked kwargs (see "Arguments").
    public init(_ kwargs: ValueMap) throws {
        forwardRewardWeight = try MuJoCoArguments.number(kwargs, "forward_reward_weight", default: 1)
        controlCostWeight = try MuJoCoArguments.number(kwargs, "ctrl_cost_weight", default: 0.5)
        contactCostWeight = try MuJoCoArguments.number(kwargs, "contact_cost_weight", default: 0.0005)
        healthyReward = try MuJoCoArguments.number(kwargs, "healthy_reward", default: 1.0)
        terminateWhenUnhealthy = try MuJoCoArguments.flag(kwargs, "terminate_when_unhealthy", default: true)
        resetNoiseScale = try MuJoCoArguments.number(kwargs, "reset_noise_scale", default: 0.1)
        try MuJoCoArguments.requireFixedShape(kwargs)
        try MuJoCoArguments.requireFlag(kwargs, "include_cfrc_ext_in_observation")
        simulation = try MuJoCoSimulation(file: Self.file, frameSkip: MuJoCoArguments.frameSkip(kwargs, default: 5),
                                              readsContactForces: true)
        mainBody = try MuJoCoArguments.bodyIndex(kwargs, "main_body", default: 1, bodies: simulation.nbody)
        contactForces = Array(repeating: 0, count: 6 * simulation.nbody)
    }

    /// The registry entry for Ant-v5.
    public static func spec() throws -> EnvSpec {
        let probe = try MuJoCoSimulation(file: file, frameSkip: 5)
        return EnvSpec(
            id: "Ant-v5", observationSpace: MuJoCoArguments.observationSpace(probe.nq - 2 + probe.nv + 6 * (probe.nbody - 1)),
            actionSpace: probe.actionSpace(), maxEpisodeSteps: 1000, rewardThreshold: 6000,
            kwargs: defaults, renderSize: MuJoCoRenderer.renderSize, description: "Make a four-legged ant walk forward without flipping over."
        ) { kwargs in try Ant(kwargs) }
    }

    public func reset(seed: UInt64?, options: ValueMap, observation: UnsafeMutableRawBufferPointer) throws -> ValueMap {
        simulation.resetWithNoise(scale: resetNoiseScale, velocityNoise: .scaledStandardNormal, random: &random, seed: seed)
        clipContactForces()
        write(observation)
        let (x, y) = (simulation.qpos[0], simulation.qpos[1])
        return ["x_position": .number(x), "y_position": .number(y), "distance_from_origin": .number(MuJoCoMath.norm(x, y))]
    }

    public func step(action: UnsafeRawBufferPointer, observation: UnsafeMutableRawBufferPointer,
                     info: UnsafeMutableBufferPointer<Double>) throws -> StepResult {
        let before = simulation.bodyPosition(mainBody)
        simulation.simulate(action: action)
        let after = simulation.bodyPosition(mainBody)
        let xVelocity = (after.x - before.x) / simulation.dt
        let yVelocity = (after.y - before.y) / simulation.dt
        clipContactForces()
        write(observation)
        let forward = xVelocity * forwardRewardWeight
        let healthy = isHealthy
        let survive = healthy ? healthyReward : 0 * healthyReward
        let control = MuJoCoMath.controlCost(weight: controlCostWeight, action: action, count: simulation.nu)
        let contact = contactCostWeight * NumPySum.sumOfSquares(contactForces)
        let reward = (forward + survive) - (Double(control) + contact)
        let (x, y) = (simulation.qpos[0], simulation.qpos[1])
        info[0] = x
        info[1] = y
        info[2] = MuJoCoMath.norm(x, y)
        info[3] = xVelocity
        info[4] = yVelocity
        info[5] = forward
        info[6] = Double(-control)
        info[7] = -contact
        info[8] = survive
        return StepResult(reward: reward, terminated: !healthy && terminateWhenUnhealthy)
    }

    /// Gymnasium's `is_healthy`: a finite state and z within the closed range.
    private var isHealthy: Bool {
        guard simulation.qpos.allSatisfy(\.isFinite), simulation.qvel.allSatisfy(\.isFinite) else { return false }
        let z = simulation.qpos[2]
        return Self.healthyZ.low <= z && z <= Self.healthyZ.high
    }

    private func clipContactForces() {
        let raw = simulation.externalForces
        for index in 0..<contactForces.count {
            contactForces[index] = MuJoCoMath.clip(raw[index], Self.contactForceRange.low, Self.contactForceRange.high)
        }
    }

    /// `render_mode="rgb_array"`: a 480 × 480 frame from Gymnasium's default camera.
    public func render() throws -> RGBFrame { try simulation.render(camera: Self.camera) }

    private func write(_ buffer: UnsafeMutableRawBufferPointer) {
        var writer = ObservationWriter(buffer)
        writer.append(simulation.qpos, from: 2)
        writer.append(simulation.qvel)
        for index in 6..<contactForces.count { writer.append(contactForces[index]) }
    }
}
