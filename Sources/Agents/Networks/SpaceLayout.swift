import GymCore

/// The spaces a discrete-action agent accepts: any observation the `ObservationEncoding` reads
/// (network agents one-hot its discrete parts, tabular ones index a table row by them) and a
/// `Discrete(n, start)` action, chosen as an index in `0..<n`.
public struct SpaceLayout: Sendable, Equatable {
    /// How observations become what the agent reads.
    public let observation: ObservationEncoding
    /// Number of actions.
    public let actionCount: Int
    /// The action space's `start`, added to an index before it is sent.
    public let actionStart: Int64

    /// Floats in one encoded observation.
    public var observationSize: Int { observation.width }

    /// Reads the layout of `spec` with observations in `form`, or says why the environment does not fit.
    public init(_ spec: EnvSpec, form: ObservationEncoding.Form = .features) throws(AgentError) {
        guard case .discrete(let n, let start) = spec.actionSpace else {
            throw AgentError(.unsupportedEnvironment, "\(spec.id): needs a Discrete action space, got \(spec.actionSpace.summary)"
                             + Self.alternatives(for: spec.actionSpace))
        }
        guard n <= Int64(ObservationEncoding.maxFeatures) else {
            throw AgentError(.unsupportedEnvironment, "\(spec.id): \(spec.actionSpace.summary) has more than "
                             + "\(ObservationEncoding.maxFeatures) actions")
        }
        do {
            observation = try ObservationEncoding(spec.observationSpace, form: form)
        } catch {
            throw AgentError(error.code, "\(spec.id): \(error.message)")
        }
        actionCount = Int(n)
        actionStart = start
    }

    /// What trains on an action space the discrete agents do not take.
    static func alternatives(for space: Space) -> String {
        switch space {
        case .box(_, _, _, .float32): "; for Box actions train ppo, a2c, ddpg, td3 or sac"
        case .box: "; Box actions must be float32 (ppo, a2c, ddpg, td3, sac)"
        default: "; no agent acts in it (the agents take Discrete actions, or float32 Box ones with ppo, a2c, ddpg, td3 and sac)"
        }
    }

    /// Whether a policy reads and writes what this environment has.
    public func check(_ policy: any Policy, env: String) throws(AgentError) {
        guard !policy.isContinuous, policy.observationSize == observationSize, policy.actionCount == actionCount else {
            throw AgentError(.policyFile, "the policy takes \(policy.observationSize) features and gives "
                             + (policy.isContinuous ? "\(policy.actionCount) floats; " : "\(policy.actionCount) actions; ")
                             + "\(env) has \(observationSize) and \(actionCount)")
        }
        if let table = policy as? QTablePolicy, case .indexed = table.states, table.states.count != observation.stateCount {
            throw AgentError(.policyFile, "the policy's table has \(table.states.count) rows; \(env)'s observations index "
                             + "\(observation.stateCount ?? 0)")
        }
    }

    /// Action indices as the environment's int64 actions.
    func wire(_ actions: [Int]) -> [Int64] { actions.map { Int64($0) + actionStart } }
}
