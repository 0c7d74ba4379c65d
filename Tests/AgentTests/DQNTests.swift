import Agents
import Foundation
import NeuralNet
import Testing

@Suite struct DQNTests {
    /// A budget small enough for a debug build: a tiny network and a few thousand steps.
    private var tiny: DQN.Arguments {
        var args = DQN.Arguments()
        args.totalSteps = 5000
        args.hiddenSizes = [32, 32]
        args.batchSize = 32
        args.learningStarts = 500
        args.exploration = .linear(start: 1, end: 0.05, steps: 3000)
        args.validationEpisodes = 0
        return args
    }

    @Test func beatsRandomPlayOnCartPole() throws {
        let daemon = try TestDaemon()
        let session = try daemon.session("dqn", env: "CartPole-v1", seed: 2)
        let report = try session.finish(try DQN.train(tiny, session: session), evaluationEpisodes: 10, save: nil)
        let random = try session.evaluate(RandomPolicy(observationSize: 4, actionCount: 2, seed: 1), episodes: 10)
        #expect(report.steps == 5000)
        #expect(random.mean < 40)
        #expect(report.evaluation.mean >= random.mean + 60, "DQN \(report.evaluation.mean), random \(random.mean)")
    }

    /// Same seed, same everything: weights, counters and evaluation; and `gym eval`'s path
    /// (load the saved file, evaluate on the run's seeds) reproduces the evaluation.
    @Test func theSameSeedGivesTheSameRunAndTheSavedPolicyReproducesIt() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var args = tiny
        args.totalSteps = 1500
        args.numEnvs = 3
        var reports: [TrainingReport] = []
        var weights: [[String: Tensor]] = []
        for run in 0..<2 {
            let daemon = try TestDaemon()
            let session = try daemon.session("dqn", env: "CartPole-v1", seed: 9)
            let trained = try DQN.train(args, session: session)
            let url = directory.appendingPathComponent("run\(run).safetensors")
            reports.append(try session.finish(trained, evaluationEpisodes: 5, save: url))
            weights.append(trained.policy.checkpoint.tensors)
            let (loaded, metadata) = try PolicyFile.load(from: url)
            let replayed = try GreedyEvaluation.run(loaded, connection: daemon.connection, env: metadata.env,
                                                    seeds: RunSeeds(metadata.seed).evaluationEpisodes(metadata.evaluation?.episodes ?? 0))
            #expect(replayed == reports[run].evaluation)
        }
        #expect(weights[0] == weights[1])
        #expect(reports[0].steps == reports[1].steps && reports[0].episodes == reports[1].episodes)
        #expect(reports[0].evaluation == reports[1].evaluation)
    }

    @Test func learnsToFly() throws {
        let daemon = try TestDaemon()
        let session = try daemon.session("dqn", env: "Flyer-v0", seed: 1)
        var args = tiny
        args.totalSteps = 4000
        let report = try session.finish(try DQN.train(args, session: session), evaluationEpisodes: 20, save: nil)
        let random = try session.evaluate(RandomPolicy(observationSize: 2, actionCount: 2, seed: 1), episodes: 20)
        #expect(report.evaluation.mean >= random.mean + 0.5, "DQN \(report.evaluation.mean), random \(random.mean)")
    }

    @Test func learningCanStartAtTheFirstStep() throws {
        let daemon = try TestDaemon()
        let session = try daemon.session("dqn", env: "CartPole-v1", seed: 1)
        var args = tiny
        args.totalSteps = 40
        args.learningStarts = 0
        args.numEnvs = 2
        #expect(try DQN.train(args, session: session).steps == 40)
    }

    @Test func rejectsContinuousActions() throws {
        let daemon = try TestDaemon()
        let session = try daemon.session("dqn", env: "Pendulum-v1", seed: 1)
        #expect(throws: AgentError.self) { try DQN.train(tiny, session: session) }
    }
}
