import GymCore

extension Gym_V1_ClientDescription {
    /// The longest run name or algorithm a hello may carry, in UTF-8 bytes: room for any real
    /// name, small enough that a client holds little of a daemon's memory with it.
    public static let maxTextBytes = 256

    /// A description of a client of `run` driven by `algorithm`, in `role`.
    public init(run: String, algorithm: String, role: Gym_V1_ClientRole) {
        self.init()
        self.run = run
        self.algorithm = algorithm
        self.role = role
    }

    /// Checks a description read from the wire: each text bounded and free of control
    /// characters (it reaches logs and recordings), the role one this version knows.
    public func checked() throws -> Gym_V1_ClientDescription {
        for (field, text) in [("run", run), ("algorithm", algorithm)] {
            guard text.utf8.count <= Self.maxTextBytes else {
                throw GymError(.invalidArgument, "the hello's description has a \(field) of \(text.utf8.count) bytes, over \(Self.maxTextBytes)")
            }
            guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw GymError(.invalidArgument, "the hello's description has a \(field) with control characters: \(text.clippedForEcho(maxBytes: 64).debugDescription)")
            }
        }
        guard role.name != nil else {
            throw GymError(.invalidArgument, "the hello's description has role \(role.rawValue), not one of \(Gym_V1_ClientRole.names.joined(separator: ", "))")
        }
        return self
    }

    /// For logs: `run R, algorithm A, role train`, leaving out what is empty.
    public var logText: String {
        var parts: [String] = []
        if !run.isEmpty { parts.append("run \(run)") }
        if !algorithm.isEmpty { parts.append("algorithm \(algorithm)") }
        if let name = role.name, !name.isEmpty { parts.append("role \(name)") }
        return parts.isEmpty ? "an empty description" : parts.joined(separator: ", ")
    }
}

extension Gym_V1_ClientRole {
    /// The roles' short names, as the CLI and recordings spell them.
    public static let names = ["train", "validate", "eval", "worker"]

    /// The role's short name (`train`, `validate`, `eval`, `worker`; empty when unspecified),
    /// nil for a value this version does not know.
    public var name: String? {
        switch self {
        case .unspecified: return ""
        case .train: return "train"
        case .validate: return "validate"
        case .eval: return "eval"
        case .worker: return "worker"
        case .UNRECOGNIZED: return nil
        }
    }

    /// The role named `name` (one of `names`), nil for any other text.
    public init?(name: String) {
        switch name {
        case "train": self = .train
        case "validate": self = .validate
        case "eval": self = .eval
        case "worker": self = .worker
        default: return nil
        }
    }
}
