import GymCore

/// The spaces a discrete-action agent accepts: any observation the `ObservationEncoding` reads
/// (network agents one-hot its discrete parts, tabular ones index a table row by them) and a
/// `Discrete(n, start)` action, chosen as an index in `0..<n`, or a small `MultiDiscrete` one,
/// chosen as an index of the joint space (the mixed-radix number of its parts, first least
/// significant, at most `maxJointActions`).
public struct SpaceLayout: Sendable, Equatable {
    /// How observations become what the agent reads.
    public let observation: ObservationEncoding
    /// Number of actions (of joint actions for a MultiDiscrete space).
    public let actionCount: Int
    /// The action space's `start`, added to an index before it is sent (Discrete).
    public let actionStart: Int64
    /// A MultiDiscrete action space's `nvec` and `start`, else nil.
    public let actionParts: (nvec: [Int], start: [Int64])?

    /// Most joint actions of a MultiDiscrete action space.
    public static let maxJointActions = 4096

    public static func == (lhs: SpaceLayout, rhs: SpaceLayout) -> Bool {
        lhs.observation == rhs.observation && lhs.actionCount == rhs.actionCount && lhs.actionStart == rhs.actionStart
            && lhs.actionParts?.nvec == rhs.actionParts?.nvec && lhs.actionParts?.start == rhs.actionParts?.start
    }

    /// Floats in one encoded observation.
    public var observationSize: Int { observation.width }

    /// Reads the layout of `spec` with observations in `form`, or says why the environment does not fit.
    public init(_ spec: EnvSpec, form: ObservationEncoding.Form = .features) throws(AgentError) {
        let n: Int64, start: Int64
        switch spec.actionSpace {
        case .discrete(let count, let first):
            (n, start) = (count, first)
            actionParts = nil
        case .multiDiscrete(let nvec, let starts) where spec.actionSpace.validationProblem == nil:
            var joint = 1
            for count in nvec {
                let (product, overflow) = joint.multipliedReportingOverflow(by: Int(clamping: count))
                guard !overflow, product <= Self.maxJointActions else {
                    throw AgentError(.unsupportedEnvironment, "\(spec.id): \(spec.actionSpace.summary) has more than "
                                     + "\(Self.maxJointActions) joint actions; the agents act in Discrete, small MultiDiscrete "
                                     + "or float32 Box spaces")
                }
                joint = product
            }
            (n, start) = (Int64(joint), 0)
            actionParts = (nvec.map { Int($0) }, starts)
        default:
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
        default: "; no agent acts in it (the agents take Discrete or small MultiDiscrete actions, or float32 Box ones with ppo, a2c, ddpg, td3 and sac)"
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

    /// Action indices as the environment's int64 actions: one per index for Discrete, the
    /// parts of each joint index for MultiDiscrete (shape `[count, parts]`).
    func wire(_ actions: [Int]) -> NDArray {
        guard let (nvec, starts) = actionParts else {
            let values = actions.map { Int64($0) + actionStart }
            return NDArray(dtype: .int64, shape: [values.count], bytes: values.withUnsafeBytes { Array($0) })
        }
        var values: [Int64] = []
        values.reserveCapacity(actions.count * nvec.count)
        for action in actions {
            var rest = action
            for (count, start) in zip(nvec, starts) {
                values.append(Int64(rest % count) + start)
                rest /= count
            }
        }
        return NDArray(dtype: .int64, shape: [actions.count, nvec.count], bytes: values.withUnsafeBytes { Array($0) })
    }
}
