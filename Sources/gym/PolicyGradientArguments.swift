import Agents
import ArgumentParser
import NeuralNet

extension Activation: ExpressibleByArgument {
    /// Reads `relu`, `tanh`, `elu` or `sigmoid`.
    public init?(argument: String) {
        switch argument {
        case "relu": self = .relu
        case "tanh": self = .tanh
        case "elu": self = .elu
        case "sigmoid": self = .sigmoid
        default: return nil
        }
    }

    /// The four names.
    public static var allValueStrings: [String] { ["relu", "tanh", "elu", "sigmoid"] }

    /// The name of a hidden-layer activation.
    public var defaultValueDescription: String {
        switch self {
        case .relu: return "relu"
        case .tanh: return "tanh"
        case .elu: return "elu"
        case .sigmoid: return "sigmoid"
        default: return "\(self)"
        }
    }
}

extension ActorCriticNetwork.Sharing: ExpressibleByArgument {}
extension Reinforce.Baseline: ExpressibleByArgument {}
