import GymClient
import GymCore

/// Returns of a set of greedy episodes.
public struct EvaluationResult: Sendable, Equatable {
    /// Undiscounted return of each episode, in seed order.
    public var returns: [Double]
    /// Steps of each episode.
    public var lengths: [Int]

    /// Creates a result.
    public init(returns: [Double], lengths: [Int]) {
        self.returns = returns
        self.lengths = lengths
    }

    /// Number of episodes.
    public var episodes: Int { returns.count }
    /// Mean return (0 for no episodes).
    public var mean: Double { returns.isEmpty ? 0 : returns.reduce(0, +) / Double(returns.count) }
    /// Population standard deviation of the returns, as `np.std`.
    public var std: Double {
        guard !returns.isEmpty else { return 0 }
        let m = mean
        return (returns.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(returns.count)).squareRoot()
    }
}
