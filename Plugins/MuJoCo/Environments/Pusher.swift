import GymCore

/// ## Description
/// A seven-jointed arm pushes a cylinder on a table to a goal. Physics, rewards and the start
/// state follow Gymnasium's `PusherEnv` v5 on `pusher_v5.xml`, so seeded episodes match it
/// bit for bit.
///
/// ## Action space
/// `Box(-2, 2, (7,), float32)`: torques on the shoulder, elbow, forearm and wrist joints.
///
/// ## Observation space
/// `Box(-inf, inf, (23,), float64)`: the arm's 7 joint angles and 7 velocities, then the
/// positions of the fingertip, the object and the goal (3 each).
///
/// ## Rewards
/// `−‖object − fingertip‖ · reward_near_weight − ‖object − goal‖ · reward_dist_weight
/// − Σ action² · reward_control_weight`, the control term in float32 as NumPy computes it.
///
/// ## Starting state
/// The arm at `init_qpos`; the object at (U(-0.3, 0), U(-0.2, 0.2)), redrawn until more than
/// 0.17 from the goal at (0, 0); velocities `init_qvel + U(±0.005)`, the object's and goal's zero.
///
/// ## Episode end
/// Never terminates. Truncation (applied by the daemon): 100 steps.
///
/// ## Arguments
/// `reward_near_weight` (0.5), `reward_dist_weight` (1), `reward_control_weight` (0.1),
/// `frame_skip` (5).
///
/// ## Info
/// Step: `reward_dist`, `reward_ctrl`, `reward_near`. Reset: none.
///
/// ## Version history
/// v5 (Gymnasium 1.x), the only version served.
public final class Pusher: FixedStepInfo {
    static let file = "pusher_v5.xml"
    /// Gymnasium's `DEFAULT_CAMERA_CONFIG` (the free camera's overrides; see MuJoCoCamera).
    static let camera = MuJoCoCamera(distance: 4.0)
    /// The step info's keys, in the order `step` writes them.
    static let infoKeys: [StepInfoKey] = [.number("reward_dist"), .number("reward_ctrl"), .number("reward_near")]
    public var stepInfoKeys: [StepInfoKey] { Self.infoKeys }
    static let defaults: ValueMap = [
        "reward_near_weight": .number(0.5), "reward_dist_weight": .number(1), "reward_control_weight": .number(0.1),
        "frame_skip": .integer(5),
    ]
    /// The arm's joints, observed; the object's and the goal's slide joints follow them.
    static let armJoints = 7
    static let minimumObjectDistance = 0.17
    static let velocityNoise = 0.005
    /// A draw is accepted with probability above 2/3; this many rejections in a row would mean
    /// a broken generator, reported rather than looped on.
    static let maxObjectDraws = 1_000

    private let simulation: MuJoCoSimulation
    private let nearWeight: Double
    private let distanceWeight: Double
    private let controlWeight: Double
    private let tip: Int, object: Int, goal: Int
    private var random: NumPyGenerator?

    /// Creates the environment from checked kwargs (see "Arguments").
    public init(_ kwargs: ValueMap) throws {
        nearWeight = try MuJoCoArguments.number(kwargs, "reward_near_weight", default: 0.5)
        distanceWeight = try MuJoCoArguments.number(kwargs, "reward_dist_weight", default: 1)
        controlWeight = try MuJoCoArguments.number(kwargs, "reward_control_weight", default: 0.1)
        simulation = try MuJoCoSimulation(file: Self.file, frameSkip: MuJoCoArguments.frameSkip(kwargs, default: 5))
        tip = try simulation.bodyIndex("tips_arm")
        object = try simulation.bodyIndex("object")
        goal = try simulation.bodyIndex("goal")
    }

    /// The registry entry for Pusher-v5.
    public static func spec() throws -> EnvSpec {
        let probe = try MuJoCoSimulation(file: file, frameSkip: 5)
        return EnvSpec(
            id: "Pusher-v5", observationSpace: MuJoCoArguments.observationSpace(2 * armJoints + 9),
            actionSpace: probe.actionSpace(), maxEpisodeSteps: 100, rewardThreshold: 0,
            kwargs: defaults, renderSize: MuJoCoRenderer.renderSize, description: "Push a cylinder to a goal with a seven-jointed arm."
        ) { kwargs in try Pusher(kwargs) }
    }

    public func reset(seed: UInt64?, options: ValueMap, observation: UnsafeMutableRawBufferPointer) throws -> ValueMap {
        var generator = NumPyGenerator.forReset(continuing: random, seed: seed)
        simulation.resetData()
        let nq = simulation.nq, nv = simulation.nv
        var positions = simulation.initialPositions
        var cylinder: (x: Double, y: Double)?
        for _ in 0..<Self.maxObjectDraws {
            let x = generator.uniform(low: -0.3, high: 0)
            let y = generator.uniform(low: -0.2, high: 0.2)
            if MuJoCoMath.norm(x - 0, y - 0) > Self.minimumObjectDistance { cylinder = (x, y); break }
        }
        guard let cylinder else { throw GymError(.internalError, "no object position far enough from the goal after \(Self.maxObjectDraws) draws") }
        positions[nq - 4] = cylinder.x
        positions[nq - 3] = cylinder.y
        positions[nq - 2] = 0
        positions[nq - 1] = 0
        var velocities = zip(simulation.initialVelocities, generator.uniform(low: -Self.velocityNoise, high: Self.velocityNoise, count: nv)).map { $0 + $1 }
        random = generator
        for index in (nv - 4)..<nv { velocities[index] = 0 }
        simulation.setState(positions: positions, velocities: velocities)
        write(observation)
        return [:]
    }

    public func step(action: UnsafeRawBufferPointer, observation: UnsafeMutableRawBufferPointer,
                     info: UnsafeMutableBufferPointer<Double>) throws -> StepResult {
        simulation.simulate(action: action)
        write(observation)
        let objectPosition = simulation.bodyPosition(object)
        let tipPosition = simulation.bodyPosition(tip), goalPosition = simulation.bodyPosition(goal)
        let near = -MuJoCoMath.norm(objectPosition.x - tipPosition.x, objectPosition.y - tipPosition.y, objectPosition.z - tipPosition.z) * nearWeight
        let distance = -MuJoCoMath.norm(objectPosition.x - goalPosition.x, objectPosition.y - goalPosition.y, objectPosition.z - goalPosition.z) * distanceWeight
        let control = -MuJoCoMath.actionSquares(action, count: simulation.nu) * Float(controlWeight)
        info[0] = distance
        info[1] = Double(control)
        info[2] = near
        return StepResult(reward: (distance + Double(control)) + near, terminated: false)
    }

    /// `render_mode="rgb_array"`: a 480 × 480 frame from Gymnasium's default camera.
    public func render() throws -> RGBFrame { try simulation.render(camera: Self.camera) }

    private func write(_ buffer: UnsafeMutableRawBufferPointer) {
        var writer = ObservationWriter(buffer)
        for index in 0..<Self.armJoints { writer.append(simulation.qpos[index]) }
        for index in 0..<Self.armJoints { writer.append(simulation.qvel[index]) }
        for body in [tip, object, goal] {
            let position = simulation.bodyPosition(body)
            writer.append(position.x); writer.append(position.y); writer.append(position.z)
        }
    }
}
