import GymCore

/// Gymnasium's MuJoCo v5 environments.
public enum MuJoCoEnvironments {
    /// The registry entries, each built by loading its model once; the error names the first
    /// model that could not be loaded (most often: Gymnasium's assets are not installed).
    public static func specs() throws -> [EnvSpec] {
        try [
            HalfCheetah.spec(), Hopper.spec(), Walker2d.spec(), InvertedPendulum.spec(), InvertedDoublePendulum.spec(),
            Swimmer.spec(), Reacher.spec(), Ant.spec(), Humanoid.spec(), HumanoidStandup.spec(), Pusher.spec(),
        ]
    }

    /// Why frames cannot be drawn on this machine (no EGL display, say), or nil when they can.
    public static var renderingUnavailableReason: String? { MuJoCoRenderer.unavailableReason }

    /// Each environment's model file among Gymnasium's assets, by id.
    public static let modelFiles: [String: String] = [
        "HalfCheetah-v5": HalfCheetah.file, "Hopper-v5": Hopper.file, "Walker2d-v5": Walker2d.file,
        "InvertedPendulum-v5": InvertedPendulum.file, "InvertedDoublePendulum-v5": InvertedDoublePendulum.file,
        "Swimmer-v5": Swimmer.file, "Reacher-v5": Reacher.file, "Ant-v5": Ant.file, "Humanoid-v5": Humanoid.file,
        "HumanoidStandup-v5": HumanoidStandup.file, "Pusher-v5": Pusher.file,
    ]
}
