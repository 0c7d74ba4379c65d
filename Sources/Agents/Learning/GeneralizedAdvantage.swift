/// Generalized advantage estimation (Schulman et al. 2016), GAE(λ).
///
/// Over a time-major rollout of `bootstrap.count` environments:
/// `δ_t = r_t + γ (1 − end_t) V_{t+1} − V_t` and `A_t = δ_t + γλ (1 − end_t) A_{t+1}`, where
/// `V_T = bootstrap`. λ = 1 gives Monte-Carlo advantages (n-step over the rollout), λ = 0 the
/// one-step TD error. The value targets are `A_t + V_t`.
public enum GeneralizedAdvantage {
    /// Advantages and value targets of a rollout.
    public static func estimate(rewards: [Double], values: [Double], episodeEnds: [Bool], bootstrap: [Double],
                                gamma: Double, lambda: Double) -> (advantages: [Double], returns: [Double]) {
        let envs = bootstrap.count
        precondition(envs > 0 && rewards.count % envs == 0 && values.count == rewards.count && episodeEnds.count == rewards.count,
                     "a rollout is steps × environments")
        var advantages = [Double](repeating: 0, count: rewards.count)
        var nextValue = bootstrap
        var nextAdvantage = [Double](repeating: 0, count: envs)
        for index in rewards.indices.reversed() {
            let env = index % envs
            let carry = episodeEnds[index] ? 0 : gamma
            let delta = rewards[index] + carry * nextValue[env] - values[index]
            nextAdvantage[env] = delta + carry * lambda * nextAdvantage[env]
            advantages[index] = nextAdvantage[env]
            nextValue[env] = values[index]
        }
        return (advantages, zip(advantages, values).map(+))
    }
}
