import GymCore

/// The spaces a discrete-action agent accepts: one numeric `Box` observation, read as a flat
/// float vector, and a `Discrete(n, start)` action, chosen as an index in `0..<n`.
public struct SpaceLayout: Sendable, Equatable {
    /// Features in one observation.
    public let observationSize: Int
    /// Number of actions.
    public let actionCount: Int
    /// The action space's `start`, added to an index before it is sent.
    public let actionStart: Int64

    /// Reads the layout of `spec`, or says why the environment does not fit.
    public init(_ spec: EnvSpec) throws(AgentError) {
        guard case .box(_, _, let shape, let dtype) = spec.observationSpace, dtype.isFloatingPoint else {
            throw AgentError(.unsupportedEnvironment,
                             "\(spec.id): needs a float Box observation space, got \(spec.observationSpace.summary)")
        }
        guard case .discrete(let n, let start) = spec.actionSpace else {
            throw AgentError(.unsupportedEnvironment, "\(spec.id): needs a Discrete action space, got \(spec.actionSpace.summary)")
        }
        observationSize = shape.reduce(1, *)
        actionCount = Int(n)
        actionStart = start
    }

    /// Whether a policy reads and writes what this environment has.
    public func check(_ policy: any Policy, env: String) throws(AgentError) {
        guard !policy.isContinuous, policy.observationSize == observationSize, policy.actionCount == actionCount else {
            throw AgentError(.policyFile, "the policy takes \(policy.observationSize) features and gives "
                             + (policy.isContinuous ? "\(policy.actionCount) floats; " : "\(policy.actionCount) actions; ")
                             + "\(env) has \(observationSize) and \(actionCount)")
        }
    }

    /// Action indices as the environment's int64 actions.
    func wire(_ actions: [Int]) -> [Int64] { actions.map { Int64($0) + actionStart } }
}
