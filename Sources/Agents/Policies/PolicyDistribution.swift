import NeuralNet

/// The distribution a stochastic policy's head describes, on the graph: what the
/// policy-gradient losses differentiate.
public enum PolicyDistribution {
    /// Softmax over `Discrete(n)` actions.
    case categorical(CategoricalDistribution)
    /// Diagonal Gaussian over `Box` actions.
    case gaussian(DiagonalGaussian)

    /// `log π(a | s)` per row, `[batch]`, for actions laid out as a rollout stores them: one
    /// float per row holding the index (categorical), or `d` floats per row (Gaussian).
    public func logProbability(of actions: [Float], count: Int) -> Variable {
        switch self {
        case .categorical(let distribution):
            return distribution.logProbability(of: actions.map { Int($0) })
        case .gaussian(let distribution):
            return distribution.logProbability(of: Tensor(shape: [count, actions.count / max(count, 1)], data: actions))
        }
    }

    /// The mean entropy over the batch (a scalar).
    public var meanEntropy: Variable {
        switch self {
        case .categorical(let distribution): return distribution.entropy.mean()
        case .gaussian(let distribution): return distribution.entropy
        }
    }
}
