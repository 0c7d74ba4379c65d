import GymCore

/// The spaces a continuous-action agent accepts: any observation the `ObservationEncoding` reads
/// as features (a Box's values, one-hot discrete parts), and a float32 `Box` action with finite
/// bounds, sent as a flat float vector.
public struct ContinuousSpaceLayout: Sendable, Equatable {
    /// How observations become features.
    public let observation: ObservationEncoding
    /// Features in one observation.
    public var observationSize: Int { observation.width }
    /// Floats in one action.
    public let actionSize: Int
    /// The observation space's bounds, per feature (infinite where unbounded).
    public let observationLow: [Double]
    /// The observation space's upper bounds, per feature.
    public let observationHigh: [Double]
    /// The action space's lower bounds as the float32 values the daemon checks against.
    public let actionLow: [Float]
    /// The action space's upper bounds, likewise.
    public let actionHigh: [Float]

    /// Reads the layout of `spec`, or says why the environment does not fit.
    public init(_ spec: EnvSpec) throws(AgentError) {
        guard case .box(let low, let high, let shape, .float32) = spec.actionSpace else {
            let hint = if case .discrete = spec.actionSpace { "; for Discrete actions train dqn, ppo, a2c, reinforce, sarsa or qlearning" } else { "" }
            throw AgentError(.unsupportedEnvironment,
                             "\(spec.id): needs a float32 Box action space, got \(spec.actionSpace.summary)\(hint)")
        }
        guard low.allSatisfy(\.isFinite), high.allSatisfy(\.isFinite), zip(low, high).allSatisfy({ $0 < $1 }) else {
            throw AgentError(.unsupportedEnvironment, "\(spec.id): the action space \(spec.actionSpace.summary) needs finite bounds")
        }
        do {
            observation = try ObservationEncoding(spec.observationSpace)
        } catch {
            throw AgentError(error.code, "\(spec.id): \(error.message)")
        }
        actionSize = shape.reduce(1, *)
        observationLow = observation.low
        observationHigh = observation.high
        actionLow = low.map { Float($0) }
        actionHigh = high.map { Float($0) }
    }

    /// Normalises observations with finite bounds into `[−1, 1]`, leaving unbounded features alone.
    public var observationScaling: BoxScaling { BoxScaling(low: observationLow, high: observationHigh) }

    /// Maps `[−1, 1]` onto the action bounds.
    public var actionScaling: BoxScaling { BoxScaling(low: actionLow.map(Double.init), high: actionHigh.map(Double.init)) }

    /// Whether a policy reads and writes what this environment has.
    public func check(_ policy: any Policy, env: String) throws(AgentError) {
        guard policy.isContinuous, policy.observationSize == observationSize, policy.actionCount == actionSize else {
            throw AgentError(.policyFile, "the policy takes \(policy.observationSize) features and gives "
                             + "\(policy.isContinuous ? "\(policy.actionCount) floats" : "\(policy.actionCount) discrete actions"); "
                             + "\(env) has \(observationSize) features and \(actionSize) floats per action")
        }
    }
}
