import GymCore

/// The classic-control environments of Gymnasium.
public enum ClassicControl {
    /// Every environment of this library.
    public static var specs: [EnvSpec] { CartPole.specs() }

    /// Registers every environment of this library.
    public static func register(into registry: inout EnvRegistry) throws {
        for spec in specs { try registry.register(spec) }
    }
}
