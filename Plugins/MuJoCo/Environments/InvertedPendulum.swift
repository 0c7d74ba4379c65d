import GymCore

/// ## Description
/// A cart on a rail carries a hinged pole; pushing the cart keeps the pole upright. Physics,
/// rewards and reset noise follow Gymnasium's `InvertedPendulumEnv` v5 on
/// `inverted_pendulum.xml`, so seeded episodes match it bit for bit.
///
/// ## Action space
/// `Box(-3, 3, (1,), float32)`: the force on the cart.
///
/// ## Observation space
/// `Box(-inf, inf, (4,), float64)`: cart position, pole angle, cart velocity, pole angular velocity.
///
/// ## Rewards
/// 1 for every step that does not terminate, 0 for the one that does.
///
/// ## Starting state
/// `init_qpos + U(±reset_noise_scale)`, `init_qvel + U(±reset_noise_scale)`.
///
/// ## Episode end
/// Terminates when an observation element is not finite or |pole angle| > 0.2 rad.
/// Truncation (applied by the daemon): 1000 steps.
///
/// ## Arguments
/// `reset_noise_scale` (0.01), `frame_skip` (2).
///
/// ## Info
/// Step: `reward_survive`. Reset: none.
///
/// ## Version history
/// v5 (Gymnasium 1.x), the only version served.
public final class InvertedPendulum: FixedStepInfo {
    static let file = "inverted_pendulum.xml"
    /// Gymnasium's `DEFAULT_CAMERA_CONFIG` (the free camera's overrides; see MuJoCoCamera).
    static let camera = MuJoCoCamera(distance: 2.04)
    /// The step info's keys, in the order `step` writes them.
    static let infoKeys: [StepInfoKey] = [.integer("reward_survive")]
    public var stepInfoKeys: [StepInfoKey] { Self.infoKeys }
    static let defaults: ValueMap = ["reset_noise_scale": .number(0.01), "frame_skip": .integer(2)]
    /// The pole angle beyond which the episode ends, in radians.
    static let angleLimit = 0.2

    private let simulation: MuJoCoSimulation
    private let resetNoiseScale: Double
    private var random: NumPyGenerator?

    /// Creates the environment from checked kwargs (see "Arguments").
    public init(_ kwargs: ValueMap) throws {
        resetNoiseScale = try MuJoCoArguments.number(kwargs, "reset_noise_scale", default: 0.01)
        simulation = try MuJoCoSimulation(file: Self.file, frameSkip: MuJoCoArguments.frameSkip(kwargs, default: 2))
    }

    /// The registry entry for InvertedPendulum-v5.
    public static func spec() throws -> EnvSpec {
        let probe = try MuJoCoSimulation(file: file, frameSkip: 2)
        return EnvSpec(
            id: "InvertedPendulum-v5", observationSpace: MuJoCoArguments.observationSpace(probe.nq + probe.nv),
            actionSpace: probe.actionSpace(), maxEpisodeSteps: 1000, rewardThreshold: 950,
            kwargs: defaults, renderSize: MuJoCoRenderer.renderSize, description: "Keep a pole upright by pushing the cart it is hinged to."
        ) { kwargs in try InvertedPendulum(kwargs) }
    }

    public func reset(seed: UInt64?, options: ValueMap, observation: UnsafeMutableRawBufferPointer) throws -> ValueMap {
        simulation.resetWithNoise(scale: resetNoiseScale, velocityNoise: .uniform, random: &random, seed: seed)
        write(observation)
        return [:]
    }

    public func step(action: UnsafeRawBufferPointer, observation: UnsafeMutableRawBufferPointer,
                     info: UnsafeMutableBufferPointer<Double>) throws -> StepResult {
        simulation.simulate(action: action)
        write(observation)
        let finite = simulation.qpos.allSatisfy(\.isFinite) && simulation.qvel.allSatisfy(\.isFinite)
        let terminated = !finite || abs(simulation.qpos[1]) > Self.angleLimit
        let reward: Int64 = terminated ? 0 : 1
        info[0] = Double(reward)
        return StepResult(reward: Double(reward), terminated: terminated)
    }

    /// `render_mode="rgb_array"`: a 480 × 480 frame from Gymnasium's default camera.
    public func render() throws -> RGBFrame { try simulation.render(camera: Self.camera) }

    private func write(_ buffer: UnsafeMutableRawBufferPointer) {
        var writer = ObservationWriter(buffer)
        writer.append(simulation.qpos)
        writer.append(simulation.qvel)
    }
}
