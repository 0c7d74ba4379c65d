import GymCore

/// The environments of the Flyer library.
public enum FlyerEnvironments {
    /// Every environment of this library.
    public static var specs: [EnvSpec] { [Flyer.spec()] }

    /// Registers every environment of this library.
    public static func register(into registry: inout EnvRegistry) throws {
        for spec in specs { try registry.register(spec) }
    }
}
