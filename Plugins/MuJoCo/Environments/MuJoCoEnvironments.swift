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
}
