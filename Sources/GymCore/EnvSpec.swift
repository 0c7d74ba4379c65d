/// A registered environment: its id, spaces, time limit and how to build it.
public struct EnvSpec: Sendable {
    /// Registry id, e.g. `CartPole-v1`.
    public var id: String
    /// What `reset` and `step` write.
    public var observationSpace: Space
    /// What `step` accepts.
    public var actionSpace: Space
    /// Truncation after this many steps, applied by `EnvBatch`; nil for none.
    public var maxEpisodeSteps: Int?
    /// Mean return at which the task counts as solved.
    public var rewardThreshold: Double?
    /// Keyword arguments the factory accepts, with their defaults.
    public var kwargs: ValueMap
    /// Frame size of `render`, nil when the environment cannot render.
    public var renderSize: (width: Int, height: Int)?
    /// One line for `gym envs`.
    public var description: String
    /// Builds an instance from kwargs already merged over the defaults.
    public var factory: @Sendable (ValueMap) throws -> Environment

    /// Creates a spec.
    public init(
        id: String, observationSpace: Space, actionSpace: Space, maxEpisodeSteps: Int?,
        rewardThreshold: Double?, kwargs: ValueMap = [:], renderSize: (width: Int, height: Int)? = nil,
        description: String = "", factory: @escaping @Sendable (ValueMap) throws -> Environment
    ) {
        self.id = id
        self.observationSpace = observationSpace
        self.actionSpace = actionSpace
        self.maxEpisodeSteps = maxEpisodeSteps
        self.rewardThreshold = rewardThreshold
        self.kwargs = kwargs
        self.renderSize = renderSize
        self.description = description
        self.factory = factory
    }

    /// Builds an instance after checking `overrides` against the accepted kwargs.
    public func make(_ overrides: ValueMap = [:]) throws -> Environment {
        var merged = kwargs
        for (key, value) in overrides {
            guard let defaultValue = kwargs[key] else {
                let accepted = kwargs.keys.sorted().joined(separator: ", ")
                throw GymError(.invalidArgument, "\(id) takes no kwarg '\(key)' (accepted: \(accepted.isEmpty ? "none" : accepted))")
            }
            merged[key] = try Self.coerce(value, like: defaultValue, key: key)
        }
        return try factory(merged)
    }

    private static func coerce(_ value: Value, like example: Value, key: String) throws -> Value {
        switch (example, value) {
        case (.number, .number), (.integer, .integer), (.text, .text), (.flag, .flag): return value
        case (.number, .integer(let int)): return .number(Double(int))
        case (.integer, .number(let double)) where Int64(exactly: double) != nil: return .integer(Int64(double))
        default: throw GymError(.invalidArgument, "kwarg '\(key)' has the wrong type: expected \(example), got \(value)")
        }
    }
}
