/// The environments a process knows, by id.
public struct EnvRegistry: Sendable {
    private var specs: [String: EnvSpec] = [:]

    /// An empty registry.
    public init() {}

    /// Adds or replaces a spec; fails when its spaces are invalid.
    public mutating func register(_ spec: EnvSpec) throws {
        for (name, space) in [("observation", spec.observationSpace), ("action", spec.actionSpace)] {
            if let problem = space.validationProblem {
                throw GymError(.invalidArgument, "\(spec.id): invalid \(name) space: \(problem)")
            }
        }
        specs[spec.id] = spec
    }

    /// The spec registered under `id`.
    public func spec(_ id: String) -> EnvSpec? { specs[id] }

    /// Every spec, sorted by id.
    public var all: [EnvSpec] { specs.values.sorted { $0.id < $1.id } }

    /// The spec for `id`, or an `unknownEnv` error that lists what exists.
    public func require(_ id: String) throws -> EnvSpec {
        guard let spec = specs[id] else {
            throw GymError(.unknownEnv, "no environment '\(id.clippedForEcho())' (registered: \(specs.keys.sorted().joined(separator: ", ")))")
        }
        return spec
    }
}
