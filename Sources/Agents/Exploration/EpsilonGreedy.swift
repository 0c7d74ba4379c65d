import NeuralNet

/// ε-greedy action choice from one seeded stream: a coin per decision, then a uniform action.
public struct EpsilonGreedy: Sendable {
    /// The stream (internal: checkpoints save and restore it).
    var random: SeededRNG

    /// A chooser drawing from `seed`.
    public init(seed: UInt64) { random = SeededRNG(seed: seed) }

    /// Whether this decision explores (probability `epsilon`).
    public mutating func explores(epsilon: Double) -> Bool {
        // Drawn even when ε is 0 so the stream, and with it the run, does not depend on the schedule's shape.
        random.nextDouble() < epsilon
    }

    /// A uniform action in `0..<count`.
    public mutating func randomAction(count: Int) -> Int { random.nextInt(below: count) }

    /// For each greedy action, a random one instead with probability `epsilon`.
    public mutating func choose(greedy: [Int], actionCount: Int, epsilon: Double) -> [Int] {
        greedy.map { explores(epsilon: epsilon) ? randomAction(count: actionCount) : $0 }
    }
}
