/// Discounted sums of rewards: whole-episode Monte-Carlo returns and n-step returns that
/// bootstrap from a value estimate where a rollout stops.
public enum DiscountedReturns {
    /// `G_t = r_t + γ G_{t+1}` over one whole episode, with `G = 0` after its last step.
    public static func monteCarlo(_ rewards: [Double], gamma: Double) -> [Double] {
        var returns = [Double](repeating: 0, count: rewards.count)
        var running = 0.0
        for t in rewards.indices.reversed() {
            running = rewards[t] + gamma * running
            returns[t] = running
        }
        return returns
    }

    /// n-step returns of a time-major rollout of `bootstrap.count` environments:
    /// `G_t = r_t + γ (1 − end_t) G_{t+1}`, with `G_T = bootstrap` (the value of the observation
    /// after the last step). `episodeEnds[t]` cuts the sum where an episode ended at step `t`.
    public static func bootstrapped(rewards: [Double], episodeEnds: [Bool], bootstrap: [Double], gamma: Double) -> [Double] {
        let envs = bootstrap.count
        precondition(envs > 0 && rewards.count % envs == 0 && episodeEnds.count == rewards.count, "a rollout is steps × environments")
        var returns = [Double](repeating: 0, count: rewards.count)
        var running = bootstrap
        for index in rewards.indices.reversed() {
            let env = index % envs
            running[env] = rewards[index] + (episodeEnds[index] ? 0 : gamma * running[env])
            returns[index] = running[env]
        }
        return returns
    }
}
