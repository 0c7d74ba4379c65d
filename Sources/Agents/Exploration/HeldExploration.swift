import Foundation
import NeuralNet

/// Temporally-extended ε-greedy ("εz-greedy", Dabney, Ostrovski & Barreto, ICLR 2021): an
/// exploring choice holds its uniform random action for a duration `n` drawn from a zeta
/// (power-law) distribution, `P(n) ∝ n^−μ` on `1...maxDuration`, instead of one step. Dithering
/// one step at a time almost never crosses a valley that needs a push held for tens of steps
/// (MountainCar); mostly short runs with a heavy tail do, at the same ε.
///
/// Each environment has its own run; a finished episode ends its environment's run. The coin and
/// the action come from the `EpsilonGreedy` stream, the durations from the same stream after them.
public struct HeldExploration: Sendable {
    /// What a checkpoint keeps: per environment, the action being held and the steps it has left.
    public struct Runs: Codable, Sendable, Equatable {
        /// The held action of each environment (meaningless where `remaining` is 0).
        public var actions: [Int]
        /// Steps each environment's held action still has after the current one.
        public var remaining: [Int]

        /// Runs with these held actions and remaining steps.
        public init(actions: [Int], remaining: [Int]) {
            self.actions = actions
            self.remaining = remaining
        }

        /// Whether these runs can be those of `environments` environments with `actionCount` actions
        /// (a checkpoint's are read back through this).
        public func isValid(environments: Int, actionCount: Int) -> Bool {
            actions.count == environments && remaining.count == environments
                && actions.allSatisfy { (0..<actionCount).contains($0) }
                && remaining.allSatisfy { (0..<HeldExploration.maxDuration).contains($0) }
        }
    }

    /// The longest run (the paper's cap).
    public static let maxDuration = 10_000

    /// The runs in progress.
    public var runs: Runs
    /// `cumulative[k]` is `P(n ≤ k + 1)`.
    private let cumulative: [Double]

    /// Runs for `environments` environments, durations with exponent `exponent` (μ > 0; the paper's 2).
    public init(exponent: Double, environments: Int) {
        var weights = (1...Self.maxDuration).map { 1 / Foundation.pow(Double($0), exponent) }
        let total = weights.reduce(0, +)
        var sum = 0.0
        for index in weights.indices {
            sum += weights[index] / total
            weights[index] = sum
        }
        weights[weights.count - 1] = 1
        cumulative = weights
        runs = Runs(actions: Array(repeating: 0, count: environments), remaining: Array(repeating: 0, count: environments))
    }

    /// A duration drawn from the zeta distribution (inverse CDF by bisection).
    mutating func duration(random: inout SeededRNG) -> Int {
        let u = random.nextDouble()
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] > u { high = middle } else { low = middle + 1 }
        }
        return low + 1
    }

    /// For each environment, its held action while a run lasts; else, with probability
    /// `epsilon`, a new run of a random action, else the greedy action.
    public mutating func choose(greedy: [Int], actionCount: Int, epsilon: Double, explore: inout EpsilonGreedy) -> [Int] {
        greedy.enumerated().map { environment, greedyAction in
            guard environment < runs.remaining.count else { return greedyAction }
            if runs.remaining[environment] > 0 {
                runs.remaining[environment] -= 1
                return runs.actions[environment]
            }
            guard explore.explores(epsilon: epsilon) else { return greedyAction }
            let action = explore.randomAction(count: actionCount)
            runs.actions[environment] = action
            runs.remaining[environment] = duration(random: &explore.random) - 1
            return action
        }
    }

    /// Ends `environment`'s run (its episode ended).
    public mutating func endRun(environment: Int) {
        if runs.remaining.indices.contains(environment) { runs.remaining[environment] = 0 }
    }
}
