import Agents
import NeuralNet
import Testing

/// `--reward-scale`: the rollout stores rewards times the factor (time-limit bootstraps stay in
/// the value's units), the episodes keep their true returns, and a factor that is not positive
/// and finite is refused.
@Suite struct RewardScaleTests {
    private func rollout(scale: Double, daemon: TestDaemon) throws -> (rewards: [Double], returns: [Double]) {
        let envs = try VectorRollout(connection: daemon.connection, env: "CartPole-v1", count: 2, seed: 5)
        defer { envs.close() }
        var random = SeededRNG(seed: 9)
        let network = ActorCriticNetwork(scaling: .identity(4), hiddenSizes: [8], head: .categorical(actions: 2),
                                         sharing: .separate, rng: &random)
        let rollout = OnPolicyRollout(envs: envs, length: 64, head: network.head, noise: nil)
        var returns: [Double] = []
        try rollout.collect(network, gamma: 0.99, rewardScale: scale, random: &random) { episode, _ in returns.append(episode.episodeReturn) }
        return (rollout.rewards, returns)
    }

    @Test func theLearnerSeesScaledRewardsAndEpisodesKeepTheirReturns() throws {
        let daemon = try TestDaemon()
        let plain = try rollout(scale: 1, daemon: daemon)
        let scaled = try rollout(scale: 0.01, daemon: daemon)
        #expect(plain.rewards.allSatisfy { $0 == 1 }, "CartPole pays 1 per step and 64 steps cut no episode")
        #expect(scaled.rewards.allSatisfy { abs($0 - 0.01) < 1e-12 })
        #expect(!plain.returns.isEmpty, "a random policy ends episodes within 64 steps")
        #expect(scaled.returns == plain.returns, "the same seeds play the same episodes, reported unscaled")
        #expect(scaled.returns.allSatisfy { $0 >= 1 && $0 == $0.rounded() })
    }

    @Test(arguments: [0, -1, Double.infinity, Double.nan])
    func aFactorThatIsNotPositiveAndFiniteIsRefused(scale: Double) throws {
        let daemon = try TestDaemon()
        let session = try daemon.session("ppo", env: "CartPole-v1", seed: 1)
        var ppo = PPO.Arguments()
        ppo.rewardScale = scale
        #expect(throws: AgentError.self) { try PPO.train(ppo, session: session) }
        var a2c = A2C.Arguments()
        a2c.rewardScale = scale
        #expect(throws: AgentError.self) { try A2C.train(a2c, session: session) }
    }
}
