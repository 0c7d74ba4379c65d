/// A deterministic policy over `Discrete(n)` actions: the best action index per observation.
public protocol GreedyPolicy: Policy {
    /// Number of actions (indices `0..<actionCount`, offset by the space's start when sent).
    var actionCount: Int { get }
    /// The best action for each of `count` observations laid out back to back.
    func greedyActions(_ observations: [Float], count: Int) -> [Int]
}

extension GreedyPolicy {
    /// Discrete.
    public var isContinuous: Bool { false }
    /// The greedy actions as a batch.
    public func actions(_ observations: [Float], count: Int) -> PolicyActions {
        .discrete(greedyActions(observations, count: count))
    }
}
