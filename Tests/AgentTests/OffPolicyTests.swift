import Agents
import Foundation
import NeuralNet
import Testing

/// The continuous-control algorithms, trained by name with a shared tiny budget.
enum ContinuousAlgorithm: String, CaseIterable, Sendable {
    case ddpg, td3, sac

    func train(_ common: OffPolicyArguments, session: TrainingSession) throws -> TrainedAgent {
        switch self {
        case .ddpg:
            var args = DDPG.Arguments()
            args.common = common
            return try DDPG.train(args, session: session)
        case .td3:
            var args = TD3.Arguments()
            args.common = common
            return try TD3.train(args, session: session)
        case .sac:
            var args = SAC.Arguments()
            args.common = common
            return try SAC.train(args, session: session)
        }
    }
}

@Suite struct OffPolicyTests {
    /// A budget small enough for a debug build: a few hundred steps of small networks.
    private var tiny: OffPolicyArguments {
        var args = OffPolicyArguments()
        args.totalSteps = 500
        args.learningStarts = 200
        args.hiddenSizes = [16, 16]
        args.batchSize = 32
        return args
    }

    @Test func ornsteinUhlenbeckNoiseHasItsStationaryStatistics() {
        var noise = OrnsteinUhlenbeckNoise(environments: 2, width: 1, theta: 0.15, sigma: 0.2, seed: 3)
        #expect(noise.state == [0, 0])
        var first: [Double] = [], second: [Double] = []
        for _ in 0..<200 { _ = noise.next() }  // forget the start at μ
        for _ in 0..<40_000 {
            let values = noise.next()
            first.append(Double(values[0]))
            second.append(Double(values[1]))
        }
        let mean = first.reduce(0, +) / Double(first.count)
        let variance = first.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(first.count)
        let lagOne = zip(first, first.dropFirst()).reduce(0) { $0 + ($1.0 - mean) * ($1.1 - mean) } / Double(first.count - 1) / variance
        // σ √(1 / (1 − 0.85²)) = 0.3797; lag-one correlation 1 − θ = 0.85.
        #expect(abs(noise.stationaryStd - 0.3797) < 1e-3)
        #expect(abs(mean) < 0.03, "mean \(mean)")
        #expect(abs(variance.squareRoot() - noise.stationaryStd) < 0.02, "std \(variance.squareRoot())")
        #expect(abs(lagOne - 0.85) < 0.02, "lag-one correlation \(lagOne)")
        #expect(first != second, "each environment has its own process")
        noise.reset(environment: 1)
        #expect(noise.state[1] == 0 && noise.state[0] != 0)
    }

    /// The target path (graph-free `predict`) computes what the trained path (the graph) does.
    @Test("a critic's graph-free values are its graph values", arguments: [0, 1])
    func criticPredictsWhatItsGraphComputes(actionLayer: Int) {
        var random = SeededRNG(seed: 3)
        let critic = ActionValueNetwork(observationSize: 3, actionSize: 2, hiddenSizes: [8, 6], actionLayer: actionLayer,
                                        initialization: .pytorchDefault, rng: &random)
        #expect(critic.layers[actionLayer].inputSize == [3, 8][actionLayer] + 2)
        #expect(critic.namedParameters.map(\.name) == ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias",
                                                        "layers.2.weight", "layers.2.bias"])
        let observations = Tensor.uniform([5, 3], low: -1, high: 1, rng: &random)
        let actions = Tensor.uniform([5, 2], low: -1, high: 1, rng: &random)
        let graph = Graph()
        let values = critic(graph.constant(observations), graph.constant(actions)).value
        #expect(values.shape == [5, 1])
        #expect(critic.predict(observations, actions).isClose(to: values))
        #expect(!critic.predict(observations, .zeros([5, 2])).isClose(to: values), "the action should change the value")
    }

    /// Same seed, same run: weights, counters and evaluation; and `gym eval`'s path (load the
    /// saved file, evaluate on the run's seeds) gives the same returns.
    @Test("same seed, same run; the saved policy replays its evaluation", arguments: ContinuousAlgorithm.allCases)
    func reproducible(_ algorithm: ContinuousAlgorithm) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var reports: [TrainingReport] = []
        var weights: [[String: Tensor]] = []
        for run in 0..<2 {
            let daemon = try TestDaemon()
            let session = try daemon.session(algorithm.rawValue, env: "Pendulum-v1", seed: 6)
            let trained = try algorithm.train(tiny, session: session)
            let url = directory.appendingPathComponent("run\(run).safetensors")
            reports.append(try session.finish(trained, evaluationEpisodes: 3, save: url))
            weights.append(trained.policy.checkpoint.tensors)
            let (loaded, metadata) = try PolicyFile.load(from: url)
            #expect(metadata.policy == "continuous_actor" && metadata.algo == algorithm.rawValue)
            let replayed = try GreedyEvaluation.run(loaded, connection: daemon.connection, env: metadata.env,
                                                    seeds: RunSeeds(metadata.seed).evaluationEpisodes(metadata.evaluation?.episodes ?? 0))
            #expect(replayed == reports[run].evaluation)
        }
        #expect(weights[0] == weights[1])
        #expect(reports[0].steps == 500 && reports[0].episodes == 2)
        #expect(reports[0].evaluation == reports[1].evaluation)
        #expect(reports[0].evaluation.lengths == [200, 200, 200])
    }

    /// A few thousand steps are enough for SAC to swing Pendulum up far better than chance.
    @Test func sacBeatsRandomPlayOnPendulum() throws {
        let daemon = try TestDaemon()
        let session = try daemon.session("sac", env: "Pendulum-v1", seed: 2)
        var common = OffPolicyArguments()
        common.totalSteps = 4000
        let report = try session.finish(try ContinuousAlgorithm.sac.train(common, session: session), evaluationEpisodes: 10, save: nil)
        let random = try session.evaluate(RandomTorque(seed: 1), episodes: 10)
        #expect(random.mean < -900)
        #expect(report.evaluation.mean >= random.mean + 500, "SAC \(report.evaluation.mean), random \(random.mean)")
    }

    @Test func aDifferentSeedGivesADifferentActor() throws {
        let daemon = try TestDaemon()
        let first = try ContinuousAlgorithm.td3.train(tiny, session: try daemon.session("td3", env: "Pendulum-v1", seed: 1))
        let second = try ContinuousAlgorithm.td3.train(tiny, session: try daemon.session("td3", env: "Pendulum-v1", seed: 2))
        #expect(first.policy.checkpoint.tensors != second.policy.checkpoint.tensors)
    }

    @Test func rejectsDiscreteActionsAndBadArguments() throws {
        let daemon = try TestDaemon()
        for algorithm in ContinuousAlgorithm.allCases {
            #expect(throws: AgentError.self) { try algorithm.train(tiny, session: try daemon.session(algorithm.rawValue, env: "CartPole-v1", seed: 1)) }
        }
        var bad = tiny
        bad.tau = 0
        #expect(throws: AgentError.self) { try ContinuousAlgorithm.sac.train(bad, session: try daemon.session("sac", env: "Pendulum-v1", seed: 1)) }
    }
}

/// Uniformly random torques in Pendulum's [-2, 2]: the baseline a learned policy must beat.
final class RandomTorque: ContinuousPolicy {
    let observationSize = 3
    let actionCount = 1
    private var random: SeededRNG

    init(seed: UInt64) { random = SeededRNG(seed: seed) }

    func continuousActions(_ observations: [Float], count: Int) -> [Float] {
        (0..<count).map { _ in random.nextUniform(low: -2, high: 2) }
    }

    var checkpoint: PolicyCheckpoint { PolicyCheckpoint(kind: "random", tensors: [:], structure: [:]) }
}
