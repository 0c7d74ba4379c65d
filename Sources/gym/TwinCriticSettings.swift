import Agents

/// The settings TD3 and SAC have in common, which `TwinCriticOptions` fills in.
protocol TwinCriticSettings {
    /// The algorithm's defaults.
    init()
    var common: OffPolicyArguments { get set }
    var actorLearningRate: Double { get set }
    var criticLearningRate: Double { get set }
}

extension TD3.Arguments: TwinCriticSettings {}
extension SAC.Arguments: TwinCriticSettings {}
