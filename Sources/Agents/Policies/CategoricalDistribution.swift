import Foundation
import NeuralNet

/// A softmax policy's distribution over `Discrete(n)` actions, given unnormalised logits.
///
/// The graph side (`init(logits:)`) gives differentiable log-probabilities and entropy for the
/// losses; the static side samples actions from plain logits while acting.
public struct CategoricalDistribution {
    /// `log π(a | s)` for every action, `[batch, n]` (log-softmax of the logits).
    public let logProbabilities: Variable

    /// The distribution of each row of `logits` (`[batch, n]`).
    public init(logits: Variable) {
        logProbabilities = logits.logSoftmax()
    }

    /// `log π(a_i | s_i)` of one action per row, `[batch]`.
    public func logProbability(of actions: [Int]) -> Variable {
        logProbabilities.gather(indices: actions)
    }

    /// `H = −Σ_a π(a) log π(a)` per row, `[batch]`.
    public var entropy: Variable {
        -(logProbabilities.exp() * logProbabilities).sum(axis: 1)
    }

    /// Draws one action per row of `logits` (`[batch, n]`) by inverting the cumulative
    /// probabilities, and returns each with its log-probability.
    public static func sample(logits: Tensor, random: inout SeededRNG) -> (actions: [Int], logProbabilities: [Float]) {
        let logProbabilities = Activation.logSoftmax.apply(logits)
        let (rows, n) = logits.matrixShape
        var actions = [Int](repeating: 0, count: rows)
        var chosen = [Float](repeating: 0, count: rows)
        for row in 0..<rows {
            let u = random.nextDouble()
            var cumulative = 0.0
            var action = n - 1
            for a in 0..<n {
                cumulative += Double(Foundation.exp(logProbabilities.data[row * n + a]))
                if u < cumulative {
                    action = a
                    break
                }
            }
            actions[row] = action
            chosen[row] = logProbabilities.data[row * n + action]
        }
        return (actions, chosen)
    }
}
