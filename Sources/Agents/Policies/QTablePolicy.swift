import NeuralNet

/// Greedy actions from a Q table over discretized (Box) or indexed (discrete) observations.
public final class QTablePolicy: GreedyPolicy {
    /// How observations become rows.
    public let states: TableStates
    /// `[states, actions]` values, row-major.
    public private(set) var values: [Float]
    /// Number of actions.
    public let actionCount: Int

    /// A table of `values` (`states.count × actionCount`).
    public init(states: TableStates, actionCount: Int, values: [Float]) {
        precondition(values.count == states.count * actionCount, "Q table size does not match its states and actions")
        self.states = states
        self.actionCount = actionCount
        self.values = values
    }

    /// A table of `values` over binned Box observations.
    public convenience init(discretizer: StateDiscretizer, actionCount: Int, values: [Float]) {
        self.init(states: .binned(discretizer), actionCount: actionCount, values: values)
    }

    /// A table drawn uniformly from `[-bound, bound]`, as the lecture initialises it.
    public convenience init(states: TableStates, actionCount: Int, initialBound: Float, seed: UInt64) {
        var random = SeededRNG(seed: seed)
        let values = (0..<(states.count * actionCount)).map { _ in random.nextUniform(low: -initialBound, high: initialBound) }
        self.init(states: states, actionCount: actionCount, values: values)
    }

    /// A table over binned Box observations drawn uniformly from `[-bound, bound]`.
    public convenience init(discretizer: StateDiscretizer, actionCount: Int, initialBound: Float, seed: UInt64) {
        self.init(states: .binned(discretizer), actionCount: actionCount, initialBound: initialBound, seed: seed)
    }

    /// The binning of a Box observation, when that is what the table reads.
    public var discretizer: StateDiscretizer? {
        if case .binned(let discretizer) = states { discretizer } else { nil }
    }

    /// The Box's width, or 1 (the row index) for discrete observations.
    public var observationSize: Int { states.dimensions }

    /// A table row index for discrete observations, else features.
    public var observationForm: ObservationEncoding.Form {
        if case .indexed = states { .tableIndex } else { .features }
    }

    /// Replaces every value (a checkpoint's table); false, changing nothing, when the count differs.
    func restore(values saved: [Float]) -> Bool {
        guard saved.count == values.count else { return false }
        values = saved
        return true
    }

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
        (0..<count).map { greedyAction(state: states.state(observations, offset: $0 * observationSize)) }
    }

    /// The table as a `[states, actions]` tensor, plus the bins (`bins`, `low`, `high`) or the
    /// digits' radices (`radices`) that index it.
    public var checkpoint: PolicyCheckpoint {
        let structure: [String: MetadataValue] = switch states {
        case .binned(let discretizer): ["bins": .ints(discretizer.bins), "low": .doubles(discretizer.low), "high": .doubles(discretizer.high)]
        case .indexed(let radices): ["radices": .ints(radices)]
        }
        return PolicyCheckpoint(kind: "q_table", tensors: ["q_table": Tensor(shape: [states.count, actionCount], data: values)],
                                structure: structure)
    }
}
