import NeuralNet

/// Greedy actions from a Q table over discretized observations.
public final class QTablePolicy: GreedyPolicy {
    /// How observations become rows.
    public let discretizer: StateDiscretizer
    /// `[states, actions]` values, row-major.
    public private(set) var values: [Float]
    /// Number of actions.
    public let actionCount: Int

    /// A table of `values` (`discretizer.stateCount × actionCount`).
    public init(discretizer: StateDiscretizer, actionCount: Int, values: [Float]) {
        precondition(values.count == discretizer.stateCount * actionCount, "Q table size does not match its states and actions")
        self.discretizer = discretizer
        self.actionCount = actionCount
        self.values = values
    }

    /// A table drawn uniformly from `[-bound, bound]`, as the lecture initialises it.
    public convenience init(discretizer: StateDiscretizer, actionCount: Int, initialBound: Float, seed: UInt64) {
        var random = SeededRNG(seed: seed)
        let values = (0..<(discretizer.stateCount * actionCount)).map { _ in random.nextUniform(low: -initialBound, high: initialBound) }
        self.init(discretizer: discretizer, actionCount: actionCount, values: values)
    }

    /// The discretizer's width.
    public var observationSize: Int { discretizer.dimensions }

    /// Q(state, action).
    public subscript(state: Int, action: Int) -> Float {
        get { values[state * actionCount + action] }
        set { values[state * actionCount + action] = newValue }
    }

    /// The first action of largest value in `state`'s row.
    public func greedyAction(state: Int) -> Int {
        var best = 0
        for action in 1..<max(actionCount, 1) where self[state, action] > self[state, best] { best = action }
        return best
    }

    /// `max_a Q(state, a)`.
    public func maxValue(state: Int) -> Float { self[state, greedyAction(state: state)] }

    /// Greedy actions for a batch of observations.
    public func greedyActions(_ observations: [Float], count: Int) -> [Int] {
        (0..<count).map { greedyAction(state: discretizer.state(observations, offset: $0 * observationSize)) }
    }

    /// The table as a `[states, actions]` tensor, plus the bins that index it.
    public var checkpoint: PolicyCheckpoint {
        PolicyCheckpoint(kind: "q_table", tensors: ["q_table": Tensor(shape: [discretizer.stateCount, actionCount], data: values)],
                         structure: ["bins": .ints(discretizer.bins), "low": .doubles(discretizer.low), "high": .doubles(discretizer.high)])
    }
}
