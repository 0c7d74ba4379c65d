import Agents
import Foundation
import NeuralNet
import Testing

/// Tiny-budget learning runs of REINFORCE, A2C and PPO on CartPole-v1 (random play averages about
/// 20), their reproducibility, and the saved policy's reproduction of the evaluation.
@Suite struct PolicyGradientTests {
    private var reinforce: Reinforce.Arguments {
        var args = Reinforce.Arguments()
        args.totalSteps = 12_000
        args.validationEpisodes = 0
        return args
    }

    private var a2c: A2C.Arguments {
        var args = A2C.Arguments()
        args.totalSteps = 40_000
        args.validationEpisodes = 0
        return args
    }

    private var ppo: PPO.Arguments {
        var args = PPO.Arguments()
        args.totalSteps = 8192
        args.validationEpisodes = 0
        return args
    }

    /// Trains with `train`, evaluates on 10 episodes, and checks it clearly beats random play.
    private func expectLearns(_ algo: String, minimum: Double, _ train: (TrainingSession) throws -> TrainedAgent) throws {
        let daemon = try TestDaemon()
        let session = try daemon.session(algo, env: "CartPole-v1", seed: 1)
        let report = try session.finish(try train(session), evaluationEpisodes: 10, save: nil)
        let random = try session.evaluate(RandomPolicy(observationSize: 4, actionCount: 2, seed: 1), episodes: 10)
        #expect(random.mean < 40)
        #expect(report.evaluation.mean >= minimum, "\(algo) \(report.evaluation.mean), random \(random.mean)")
    }

    @Test func reinforceBeatsRandomPlay() throws {
        try expectLearns("reinforce", minimum: 100) { try Reinforce.train(reinforce, session: $0) }
    }

    @Test func a2cBeatsRandomPlay() throws {
        try expectLearns("a2c", minimum: 200) { try A2C.train(a2c, session: $0) }
    }

    @Test func ppoBeatsRandomPlay() throws {
        try expectLearns("ppo", minimum: 200) { try PPO.train(ppo, session: $0) }
    }

    /// Doing nothing scores 0 and white-noise PPO learns just that; held noise finds the flag (+100).
    @Test func ppoDrivesUpTheContinuousMountain() throws {
        let daemon = try TestDaemon()
        let session = try daemon.session("ppo", env: "MountainCarContinuous-v0", seed: 2)
        var args = PPO.Arguments()
        args.totalSteps = 20_480
        let report = try session.finish(try PPO.train(args, session: session), evaluationEpisodes: 10, save: nil)
        #expect(report.evaluation.mean >= 50, "PPO \(report.evaluation.mean)")
    }

    /// Same seed, same weights, counters and evaluation; and the saved file, loaded as `gym eval`
    /// loads it and played on the run's evaluation seeds, gives the same returns.
    @Test(arguments: ["reinforce", "a2c", "ppo", "ppo-box"])
    func theSameSeedGivesTheSameRunAndTheSavedPolicyReproducesIt(algo: String) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var reports: [TrainingReport] = []
        var weights: [[String: Tensor]] = []
        for run in 0..<2 {
            let daemon = try TestDaemon()
            let box = algo == "ppo-box"
            let session = try daemon.session(box ? "ppo" : algo, env: box ? "MountainCarContinuous-v0" : "CartPole-v1", seed: 7)
            let trained: TrainedAgent
            switch algo {
            case "reinforce":
                var args = reinforce
                args.totalSteps = 1500
                args.numEnvs = 3
                trained = try Reinforce.train(args, session: session)
            case "a2c":
                var args = a2c
                args.totalSteps = 1536
                args.numEnvs = 3
                trained = try A2C.train(args, session: session)
            default:
                var args = ppo
                args.totalSteps = box ? 2048 : 1024
                args.numEnvs = 4
                args.batchSize = 64
                trained = try PPO.train(args, session: session)
            }
            #expect(trained.policy.isContinuous == box)
            let url = directory.appendingPathComponent("run\(run).safetensors")
            reports.append(try session.finish(trained, evaluationEpisodes: 5, save: url))
            weights.append(trained.policy.checkpoint.tensors)
            let (loaded, metadata) = try PolicyFile.load(from: url)
            #expect(metadata.algo == (box ? "ppo" : algo))
            let replayed = try GreedyEvaluation.run(loaded, connection: daemon.connection, env: metadata.env,
                                                    seeds: RunSeeds(metadata.seed).evaluationEpisodes(metadata.evaluation?.episodes ?? 0))
            #expect(replayed == reports[run].evaluation)
        }
        #expect(weights[0] == weights[1])
        #expect(reports[0].steps == reports[1].steps && reports[0].episodes == reports[1].episodes)
        #expect(reports[0].evaluation == reports[1].evaluation)
    }

    /// A target KL no epoch reaches changes nothing; one every epoch exceeds leaves one epoch per
    /// rollout, and so other weights.
    @Test func aTargetKLStopsTheEpochsEarly() throws {
        func weights(targetKL: Double?) throws -> [String: Tensor] {
            let daemon = try TestDaemon()
            var args = ppo
            args.totalSteps = 512
            args.numEnvs = 4
            args.targetKL = targetKL
            return try PPO.train(args, session: try daemon.session("ppo", env: "CartPole-v1", seed: 3)).policy.checkpoint.tensors
        }
        let everyEpoch = try weights(targetKL: nil)
        #expect(try weights(targetKL: 1e9) == everyEpoch)
        #expect(try weights(targetKL: 1e-12) != everyEpoch)
    }

    /// Normalising the advantages subtracts their mean, so a constant baseline changes nothing;
    /// without normalisation the running mean changes the update.
    @Test func aMeanBaselineMattersOnlyWithoutNormalisation() throws {
        func weights(_ baseline: Reinforce.Baseline, normalize: Bool) throws -> [String: Tensor] {
            let daemon = try TestDaemon()
            var args = reinforce
            args.totalSteps = 600
            args.numEnvs = 3
            args.baseline = baseline
            args.normalizeAdvantages = normalize
            return try Reinforce.train(args, session: try daemon.session("reinforce", env: "CartPole-v1", seed: 4)).policy.checkpoint.tensors
        }
        func close(_ a: [String: Tensor], _ b: [String: Tensor]) -> Bool {
            a.keys == b.keys && a.allSatisfy { name, tensor in b[name].map { tensor.isClose(to: $0, relative: 1e-4, absolute: 1e-5) } ?? false }
        }
        #expect(close(try weights(.none, normalize: true), try weights(.mean, normalize: true)))
        #expect(!close(try weights(.none, normalize: false), try weights(.mean, normalize: false)))
    }

    @Test func badArgumentsAreTypedErrors() throws {
        let daemon = try TestDaemon()
        let session = try daemon.session("ppo", env: "CartPole-v1", seed: 1)
        var args = ppo
        args.clipRange = 0
        #expect(throws: AgentError.self) { try PPO.train(args, session: session) }
        var a2cArgs = a2c
        a2cArgs.nSteps = 0
        #expect(throws: AgentError.self) { try A2C.train(a2cArgs, session: session) }
        var reinforceArgs = reinforce
        reinforceArgs.gamma = 2
        #expect(throws: AgentError.self) { try Reinforce.train(reinforceArgs, session: session) }
    }

    /// The saved actor reads raw observations: folding the scaling into its first layer changes nothing.
    @Test func theSavedActorComputesWhatTheNetworkDoes() {
        var random = SeededRNG(seed: 3)
        let scaling = BoxScaling(observations: .box(low: [-2, -1, -.infinity], high: [2, 3, .infinity], shape: [3], dtype: .float32))
        #expect(scaling.center == [0, 1, 0] && scaling.halfWidth == [2, 2, 1])
        let network = ActorCriticNetwork(scaling: scaling, hiddenSizes: [8, 8], head: .categorical(actions: 3), sharing: .shared, rng: &random)
        let observations: [Float] = [1.5, 2.5, -7, -0.3, 0.1, 4]
        let direct = network.predictPolicy(network.input(observations, count: 2))
        let saved = network.actorMLP(foldingScaling: true).predict(Tensor(shape: [2, 3], data: observations))
        #expect(saved.isClose(to: direct, relative: 1e-5, absolute: 1e-5))
    }
}
