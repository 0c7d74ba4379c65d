/// Early stopping for the policy-gradient methods: greedy validations once recent training
/// returns come near the reward threshold, a stop when one reaches it, and at the end the
/// best validated policy if the final one is worse.
///
/// Policies are validated as the snapshots that would be saved, so a validation measures
/// exactly what the run would report.
final class PolicyValidation {
    private let session: TrainingSession
    private var check: SolveCheck<any Policy>

    /// Validates `episodes` greedy episodes once the mean of the last `window` training episodes
    /// is within `margin` (a fraction of the threshold's size) of the threshold.
    init(session: TrainingSession, window: Int, episodes: Int, margin: Double) {
        self.session = session
        let threshold = session.spec.rewardThreshold
        check = SolveCheck(threshold: threshold, window: window, validationEpisodes: episodes,
                           trigger: threshold.map { $0 - margin * abs($0) })
    }

    /// Validates when due; true when the policy reached the threshold (stop training).
    func solved(step: Int, policy: () -> any Policy) throws -> Bool {
        guard check.due(episodes: session.monitor.episodes, recentMean: session.monitor.recentMean(check.window)) else { return false }
        let candidate = policy()
        let validation = try session.validate(candidate, episodes: check.validationEpisodes, step: step)
        return check.record(mean: validation.mean) { candidate }
    }

    /// The policy to keep after training ended unsolved at `step`: the final one, unless an
    /// earlier validation did better than the final policy validates now.
    func keep(_ final: any Policy, step: Int) throws -> any Policy {
        guard let best = check.best else { return final }
        let validation = try session.validate(final, episodes: check.validationEpisodes, step: step)
        guard best.mean > validation.mean else { return final }
        session.monitor.note(String(format: "keeping the policy that validated at %.2f", best.mean))
        return best.snapshot
    }
}
