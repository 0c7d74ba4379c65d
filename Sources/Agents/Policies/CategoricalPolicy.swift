import NeuralNet

/// The greedy side of a softmax policy: the action with the largest logit (the most probable
/// one). What REINFORCE, A2C and PPO save for `Discrete` spaces.
public final class CategoricalPolicy: ArgmaxPolicy {
    /// The checkpoint kind.
    public static let kind = "categorical_policy"

    /// Wraps an actor network: raw observation in, one logit per action out (dense, or on a convolutional torso).
    public init(network: any ScoringNetwork) { super.init(network: network, kind: Self.kind) }
}
