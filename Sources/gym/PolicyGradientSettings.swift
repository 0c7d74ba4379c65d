import Agents
import NeuralNet

/// The settings REINFORCE, A2C and PPO have in common, which `PolicyGradientOptions` fills in.
protocol PolicyGradientSettings {
    /// The algorithm's defaults.
    init()
    var entropyCoefficient: Double { get set }
    var maxGradNorm: Double? { get set }
    var hiddenSizes: [Int] { get set }
    var activation: Activation { get set }
    var scaleObservations: Bool { get set }
    var solveWindow: Int { get set }
    var validationEpisodes: Int { get set }
    var validationMargin: Double { get set }
}

extension Reinforce.Arguments: PolicyGradientSettings {}
extension A2C.Arguments: PolicyGradientSettings {}
extension PPO.Arguments: PolicyGradientSettings {}
