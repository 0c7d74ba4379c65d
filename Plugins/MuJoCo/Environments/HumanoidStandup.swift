import GymCore

/// ## Description
/// The 3D humanoid of Humanoid-v5 starts lying on the ground and must stand up and stay up.
/// Physics, rewards and reset noise follow Gymnasium's `HumanoidStandupEnv` v5 on
/// `humanoidstandup.xml`, so seeded episodes match it bit for bit.
///
/// ## Action space
/// `Box(-0.4, 0.4, (17,), float32)`: torques on the abdomen, hips, knees, shoulders and elbows.
///
/// ## Observation space
/// `Box(-inf, inf, (348,), float64)`, laid out as Humanoid-v5's.
///
/// ## Rewards
/// `z / timestep − ctrl_cost_weight · Σ ctrl² − min(impact_cost_weight ·
/// Σ cfrc_ext², 10) + 1`, z the root's height and timestep MuJoCo's (not the step's dt).
///
/// ## Starting state
/// `init_qpos + U(±reset_noise_scale)`, `init_qvel + U(±reset_noise_scale)`.
///
/// ## Episode end
/// Never terminates. Truncation (applied by the daemon): 1000 steps.
///
/// ## Arguments
/// `uph_cost_weight` (1; accepted and, as in Gymnasium 1.4, unused), `ctrl_cost_weight` (0.1), `impact_cost_weight` (5e-7),
/// `reset_noise_scale` (0.01), `frame_skip` (5); the shape flags only at their defaults, as for
/// Humanoid-v5; `impact_cost_range` is a pair and keeps Gymnasium's default.
///
/// ## Info
/// Step: `x_position`, `y_position`, `z_distance_from_origin`, `reward_linup`,
/// `reward_quadctrl`, `reward_impact`. Reset: `x_position`, `y_position`,
/// `z_distance_from_origin`. The array values `tendon_length` and `tendon_velocity` are not carried.
///
/// ## Version history
/// v5 (Gymnasium 1.x), the only version served.
public final class HumanoidStandup: FixedStepInfo {
    static let file = "humanoidstandup.xml"
    /// Gymnasium's `DEFAULT_CAMERA_CONFIG` (the free camera's overrides; see MuJoCoCamera).
    static let camera = MuJoCoCamera(distance: 4.0, lookat: (0, 0, 0.8925), elevation: -20)
    /// The step info's keys, in the order `step` writes them.
    static let infoKeys: [StepInfoKey] = [.number("x_position"), .number("y_position"), .number("z_distance_from_origin"), .number("reward_linup"), .number("reward_quadctrl"), .number("reward_impact")]
    public var stepInfoKeys: [StepInfoKey] { Self.infoKeys }
    static let defaults: ValueMap = [
        "uph_cost_weight": .number(1), "ctrl_cost_weight": .number(0.1), "impact_cost_weight": .number(5e-7),
        "reset_noise_scale": .number(0.01), "frame_skip": .integer(5),
    ].merging(Humanoid.shapeFlags.map { ($0, Value.flag(true)) }) { first, _ in first }
    static let impactCostRange = (low: -Double.infinity, high: 10.0)

    private let simulation: MuJoCoSimulation
    private let controlCostWeight: Double
    private let impactCostWeight: Double
    private let resetNoiseScale: Double
    private var random: NumPyGenerator?

    /// Creates the environment from checked kwargs (see "Arguments").
    public init(_ kwargs: ValueMap) throws {
        _ = try MuJoCoArguments.number(kwargs, "uph_cost_weight", default: 1)
        controlCostWeight = try MuJoCoArguments.number(kwargs, "ctrl_cost_weight", default: 0.1)
        impactCostWeight = try MuJoCoArguments.number(kwargs, "impact_cost_weight", default: 5e-7)
        resetNoiseScale = try MuJoCoArguments.number(kwargs, "reset_noise_scale", default: 0.01)
        for flag in Humanoid.shapeFlags { try MuJoCoArguments.requireFlag(kwargs, flag) }
        simulation = try MuJoCoSimulation(file: Self.file, frameSkip: MuJoCoArguments.frameSkip(kwargs, default: 5),
                                              readsContactForces: true)
    }

    /// The registry entry for HumanoidStandup-v5.
    public static func spec() throws -> EnvSpec {
        let probe = try MuJoCoSimulation(file: file, frameSkip: 5)
        return EnvSpec(
            id: "HumanoidStandup-v5", observationSpace: MuJoCoArguments.observationSpace(HumanoidObservation.count(probe)),
            actionSpace: probe.actionSpace(), maxEpisodeSteps: 1000, rewardThreshold: nil,
            kwargs: defaults, renderSize: MuJoCoRenderer.renderSize, description: "Make a 3D humanoid lying on the ground stand up and stay up."
        ) { kwargs in try HumanoidStandup(kwargs) }
    }

    public func reset(seed: UInt64?, options: ValueMap, observation: UnsafeMutableRawBufferPointer) throws -> ValueMap {
        simulation.resetWithNoise(scale: resetNoiseScale, velocityNoise: .uniform, random: &random, seed: seed)
        HumanoidObservation.write(simulation, into: observation)
        return positionInfo
    }

    public func step(action: UnsafeRawBufferPointer, observation: UnsafeMutableRawBufferPointer,
                     info: UnsafeMutableBufferPointer<Double>) throws -> StepResult {
        simulation.simulate(action: action)
        let height = simulation.qpos[2]
        // Gymnasium 1.4 stores uph_cost_weight but never applies it; so neither does this.
        let upward = (height - 0) / simulation.model.pointee.opt.timestep
        let control = HumanoidObservation.weightedSquares(controlCostWeight, simulation.controls)
        let impact = MuJoCoMath.clip(HumanoidObservation.weightedSquares(impactCostWeight, simulation.externalForces),
                                     Self.impactCostRange.low, Self.impactCostRange.high)
        HumanoidObservation.write(simulation, into: observation)
        (info[0], info[1], info[2]) = position
        info[3] = upward
        info[4] = -control
        info[5] = -impact
        return StepResult(reward: upward - control - impact + 1, terminated: false)
    }

    /// `x_position`, `y_position` and `z_distance_from_origin`, of the reset and of every step.
    private var position: (x: Double, y: Double, z: Double) {
        (simulation.qpos[0], simulation.qpos[1], simulation.qpos[2] - simulation.initialPositions[2])
    }

    private var positionInfo: ValueMap {
        let (x, y, z) = position
        return ["x_position": .number(x), "y_position": .number(y), "z_distance_from_origin": .number(z)]
    }

    /// `render_mode="rgb_array"`: a 480 × 480 frame from Gymnasium's default camera.
    public func render() throws -> RGBFrame { try simulation.render(camera: Self.camera) }
}
