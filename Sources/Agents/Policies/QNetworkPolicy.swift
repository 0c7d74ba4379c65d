import NeuralNet

/// Greedy actions from a Q network: `argmax_a Q(s, a)`. What DQN saves.
public final class QNetworkPolicy: ArgmaxPolicy {
    /// The checkpoint kind.
    public static let kind = "q_network"

    /// Wraps a network: observation in, one Q value per action out.
    public init(network: any ScoringNetwork) { super.init(network: network, kind: Self.kind) }
}
