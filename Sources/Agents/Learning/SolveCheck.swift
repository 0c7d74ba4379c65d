/// Early stopping once a task is solved, and the best policy seen on the way.
///
/// When the mean return of the last `window` training episodes reaches the environment's
/// reward threshold (or a lower `trigger`, for policies that explore by sampling and so train
/// below what they play greedily), the caller runs a greedy validation on validation seeds (never the
/// evaluation's, so the reported evaluation stays unbiased). If that reaches the threshold too,
/// training stops; otherwise it goes on, and validates again no sooner than `window` episodes
/// later. The best validated policy is kept, for a run that ends its budget unsolved.
public struct SolveCheck<Snapshot> {
    /// The return to reach; nil turns early stopping off.
    public let threshold: Double?
    /// The recent training mean that prompts a validation.
    public let trigger: Double?
    /// Training episodes in the recent mean.
    public let window: Int
    /// Greedy episodes per validation; 0 turns early stopping off.
    public let validationEpisodes: Int
    /// The best validation so far, with what restores its policy.
    public private(set) var best: (mean: Double, snapshot: Snapshot)?
    /// Validations run so far.
    public private(set) var validations = 0
    private var lastCheck: Int?

    /// The counters now.
    var counters: SolveCheckCounters { SolveCheckCounters(validations: validations, lastCheck: lastCheck, bestMean: best?.mean) }

    /// Restores saved counters, with `snapshot` the best validation's (nil when there was none).
    mutating func restore(_ saved: SolveCheckCounters, snapshot: Snapshot?) {
        validations = saved.validations
        lastCheck = saved.lastCheck
        if let mean = saved.bestMean, let snapshot { best = (mean, snapshot) } else { best = nil }
    }

    /// A check against `threshold`, validating once recent training episodes reach `trigger`
    /// (the threshold itself by default).
    public init(threshold: Double?, window: Int, validationEpisodes: Int, trigger: Double? = nil) {
        self.threshold = threshold
        self.trigger = trigger ?? threshold
        self.window = max(window, 1)
        self.validationEpisodes = validationEpisodes
    }

    /// Whether to validate now, `episodes` training episodes in, with `recentMean` over the last `window`.
    public mutating func due(episodes: Int, recentMean: Double?) -> Bool {
        guard threshold != nil, let trigger, validationEpisodes > 0, episodes >= window, let recentMean, recentMean >= trigger else {
            return false
        }
        if let lastCheck, episodes - lastCheck < window { return false }
        lastCheck = episodes
        return true
    }

    /// Records a validation's mean return; true when it reaches the threshold (stop training).
    public mutating func record(mean: Double, snapshot: () -> Snapshot) -> Bool {
        validations += 1
        if mean > (best?.mean ?? -.infinity) { best = (mean, snapshot()) }
        guard let threshold else { return false }
        return mean >= threshold
    }
}

/// The counters of a `SolveCheck` a checkpoint keeps (the best snapshot is saved by its owner).
struct SolveCheckCounters: Codable {
    var validations: Int
    var lastCheck: Int?
    var bestMean: Double?
}
