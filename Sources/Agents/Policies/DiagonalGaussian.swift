import Foundation
import NeuralNet

/// A Gaussian policy over `Box` actions with independent dimensions: `a = μ(s) + σ ⊙ ε`,
/// `ε ~ N(0, I)`, with a learned `log σ` shared by every state.
///
/// The graph side gives differentiable log-densities and entropy for the losses; the static
/// side turns standard-normal noise into actions while acting, so the caller decides how the
/// noise is drawn (white, or correlated in time).
public struct DiagonalGaussian {
    /// The means, `[batch, d]`.
    public let mean: Variable
    /// `log σ`, `[d]` (one row, broadcast over the batch).
    public let logStd: Variable

    /// `½ log(2π)`, the normalising constant of each dimension's log-density.
    static let halfLogTwoPi = 0.5 * Foundation.log(2 * Double.pi)

    /// The distribution with means `mean` and log standard deviations `logStd`.
    public init(mean: Variable, logStd: Variable) {
        self.mean = mean
        self.logStd = logStd
    }

    /// `log π(a | s) = Σ_j −½ ((a_j − μ_j)/σ_j)² − log σ_j − ½ log 2π` per row, `[batch]`.
    public func logProbability(of actions: Tensor) -> Variable {
        let graph = mean.graph
        let z = (graph.constant(actions) - mean) * (-logStd).exp()
        return (z.square() * -0.5 - logStd).sum(axis: 1) - Float(Self.halfLogTwoPi * Double(actions.matrixShape.cols))
    }

    /// `H = Σ_j log σ_j + ½ log(2πe)`, the same for every state (a scalar).
    public var entropy: Variable {
        let dimensions = logStd.shape.last ?? 1
        return logStd.sum() + Float((Self.halfLogTwoPi + 0.5) * Double(dimensions))
    }

    /// Actions `μ + σ ⊙ ε` for `noise` ε (`[batch, d]` laid out like `mean`), with their log-densities.
    public static func sample(mean: Tensor, logStd: [Float], noise: [Float]) -> (actions: [Float], logProbabilities: [Float]) {
        let (rows, d) = mean.matrixShape
        precondition(logStd.count == d && noise.count == rows * d, "one noise value per action element")
        var actions = [Float](repeating: 0, count: rows * d)
        var logProbabilities = [Float](repeating: 0, count: rows)
        let logStdSum = logStd.reduce(0, +)
        for row in 0..<rows {
            var squares: Float = 0
            for j in 0..<d {
                let e = noise[row * d + j]
                actions[row * d + j] = mean.data[row * d + j] + Foundation.exp(logStd[j]) * e
                squares += e * e
            }
            logProbabilities[row] = -0.5 * squares - logStdSum - Float(halfLogTwoPi * Double(d))
        }
        return (actions, logProbabilities)
    }
}
