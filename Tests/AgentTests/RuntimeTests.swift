import Agents
import Foundation
import GymClient
import NeuralNet
import Testing

@Suite struct RuntimeTests {
    @Test func seedStreamsAreDistinctAndStable() {
        let seeds = RunSeeds(7)
        let streams = [seeds.initialization, seeds.exploration, seeds.replay] + seeds.evaluationEpisodes(20) + seeds.validationEpisodes(20)
        #expect(Set(streams).count == streams.count)
        #expect(RunSeeds(7).evaluationEpisodes(3) == seeds.evaluationEpisodes(3))
        #expect(RunSeeds(8).evaluationEpisode(0) != seeds.evaluationEpisode(0))
        #expect(seeds.trainingEnvironments == 7)
    }

    @Test func explorationSchedules() throws {
        #expect(ExplorationSchedule.inverseEpisode(scale: 0.7).epsilon(step: 999, episode: 0) == 0.7)
        #expect(abs(ExplorationSchedule.inverseEpisode(scale: 0.7).epsilon(step: 0, episode: 6) - 0.1) < 1e-12)
        let linear = ExplorationSchedule.linear(start: 1, end: 0.1, steps: 100)
        #expect(linear.epsilon(step: 0, episode: 0) == 1)
        #expect(abs(linear.epsilon(step: 50, episode: 0) - 0.55) < 1e-12)
        #expect(abs(linear.epsilon(step: 5000, episode: 0) - 0.1) < 1e-12)
        for schedule in [linear, .inverseEpisode(scale: 0.7), .constant(0.05)] {
            #expect(ExplorationSchedule(parsing: schedule.description) == schedule)
        }
        #expect(ExplorationSchedule(parsing: "linear:1:0.05") == nil)
        #expect(ExplorationSchedule(parsing: "constant:2") == nil)
    }

    /// The lecture's `np.digitize(x, np.linspace(lo, hi, 7)[1:-1])`, worked out by hand.
    @Test func discretizerMatchesDigitize() throws {
        let cart = try #require(StateDiscretizer.cartPole())
        #expect(cart.stateCount == 1296)
        // x edges: -1.6, -0.8, 0, 0.8, 1.6. 0 sits on an edge and counts as above it (right=False).
        #expect(cart.state([0, 0, 0, 0]) == 3 + 3 * 6 + 3 * 36 + 3 * 216)
        #expect(cart.state([-9, -9, -9, -9]) == 0)
        #expect(cart.state([9, 9, 9, 9]) == 1295)
        #expect(cart.state([-0.81, 2.9, 0.1, -1.9]) == 1 + 5 * 6 + 3 * 36 + 0 * 216)
        #expect(StateDiscretizer(bins: [6], low: [1], high: [1]) == nil)
    }

    @Test func replayBufferOverwritesTheOldestAndSamplesWhatItHolds() throws {
        var buffer = try ReplayBuffer(capacity: 3, observationSize: 2)
        for k in 0..<5 {
            let value = Float(k)
            let transitions = Transitions(observations: [value, value], actions: [k % 2], rewards: [Double(k)],
                                          nextObservations: [value + 1, value + 1], terminated: [k == 4], truncated: [false], finished: [])
            buffer.add(transitions, row: 0, reward: value)
        }
        #expect(buffer.count == 3)
        var random = SeededRNG(seed: 1)
        var batch = buffer.makeBatch(size: 64)
        buffer.sample(random: &random, into: &batch)
        #expect(Set(batch.rewards) == [2, 3, 4])
        for row in 0..<batch.size {
            #expect(batch.observations[row, 0] == batch.rewards[row])
            #expect(batch.nextObservations[row, 1] == batch.rewards[row] + 1)
            #expect(batch.terminated[row] == (batch.rewards[row] == 4 ? 1 : 0))
            #expect(batch.actionIndices[row] == Int(batch.rewards[row]) % 2)
        }
    }

    @Test func evaluationStatistics() {
        let result = EvaluationResult(returns: [1, 2, 3, 4], lengths: [1, 1, 1, 1])
        #expect(result.mean == 2.5)
        #expect(abs(result.std - 1.118033988749895) < 1e-12)
    }

    /// Same-step autoreset: an ended episode's transition carries its true final observation,
    /// and the next observation is a fresh reset one.
    @Test func rolloutKeepsFinalObservations() throws {
        let daemon = try TestDaemon()
        let rollout = try VectorRollout(connection: daemon.connection, env: "CartPole-v1", count: 3, seed: 5)
        defer { rollout.close() }
        var ended = 0
        var lengths: [Int] = []
        while ended < 4 {
            let t = try rollout.step(actions: [0, 0, 1])
            for index in 0..<3 where t.terminated[index] {
                let final = Array(t.nextObservations[(index * 4)..<(index * 4 + 4)])
                let reset = Array(rollout.observations[(index * 4)..<(index * 4 + 4)])
                #expect(abs(final[0]) > 2.4 || abs(final[2]) > 0.2094)
                #expect(reset.allSatisfy { abs($0) <= 0.05 })
                ended += 1
            }
            lengths += t.finished.map(\.length)
            #expect(t.finished.allSatisfy { $0.episodeReturn == Double($0.length) })
        }
        #expect(lengths.allSatisfy { $0 > 0 && $0 < 100 })
    }

    /// The same seeds give the same returns whatever the batch width.
    @Test func evaluationDoesNotDependOnBatchWidth() throws {
        let daemon = try TestDaemon()
        var random = SeededRNG(seed: 3)
        let policy = QNetworkPolicy(network: MLP(sizes: [4, 8, 2], rng: &random))
        let seeds = RunSeeds(11).evaluationEpisodes(7)
        let wide = try GreedyEvaluation.run(policy, connection: daemon.connection, env: "CartPole-v1", seeds: seeds, width: 32)
        let narrow = try GreedyEvaluation.run(policy, connection: daemon.connection, env: "CartPole-v1", seeds: seeds, width: 3)
        #expect(wide == narrow)
        #expect(wide.episodes == 7)
    }
}
