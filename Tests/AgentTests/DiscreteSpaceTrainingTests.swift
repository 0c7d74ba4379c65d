import Agents
import Foundation
import GymCore
import Testing

/// Training on a Dict observation of discrete parts with an offset action space, in process:
/// tabular agents index a table by it, network agents read it one-hot.
@Suite struct DiscreteSpaceTrainingTests {
    /// Random play on the corridor rarely reaches its end within 20 steps; greedy play needs 7.
    @Test(arguments: [Tabular.Method.qLearning, .sarsa])
    func tabularAgentsSolveTheCorridor(method: Tabular.Method) throws {
        let daemon = try TestDaemon(extra: [CorridorEnv.spec])
        let session = try daemon.session(method.rawValue, env: "Corridor-v0", seed: 4)
        var args = Tabular.Arguments(method: method)
        args.episodes = 200
        args.penalty = nil
        args.learningRate = 0.5
        args.validationEpisodes = 0
        let trained = try Tabular.train(args, session: session)
        let table = try #require(trained.policy as? QTablePolicy)
        #expect(table.states == .indexed(radices: [2, 8]) && table.observationForm == .tableIndex)

        // Saved and loaded, the table acts the same on the same evaluation seeds.
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("table.safetensors")
        let report = try session.finish(trained, evaluationEpisodes: 5, save: file)
        #expect(abs(report.evaluation.mean - 0.94) < 1e-9, "greedy mean \(report.evaluation.mean)")
        let loaded = try PolicyFile.load(from: file)
        let reloaded = try #require(loaded.policy as? QTablePolicy)
        #expect(reloaded.states == table.states && reloaded.values == table.values)
        #expect(try session.evaluate(loaded.policy, episodes: 5) == report.evaluation)
    }

    @Test func dqnSolvesTheCorridorFromOneHotFeatures() throws {
        let daemon = try TestDaemon(extra: [CorridorEnv.spec])
        let session = try daemon.session("dqn", env: "Corridor-v0", seed: 2)
        var args = DQN.Arguments()
        args.totalSteps = 3000
        args.learningStarts = 200
        args.hiddenSizes = [16]
        args.exploration = .linear(start: 1, end: 0.05, steps: 1500)
        args.targetUpdateInterval = 100
        let report = try session.finish(try DQN.train(args, session: session), evaluationEpisodes: 5, save: nil)
        #expect(report.evaluation.mean > 0.9, "greedy mean \(report.evaluation.mean)")
        // The threshold means something: random play (on the same 9 features) is far below it.
        let random = try session.evaluate(RandomPolicy(observationSize: 9, actionCount: 2, seed: 3), episodes: 50)
        #expect(random.mean < 0.3, "random mean \(random.mean)")
    }

    @Test func ppoSolvesTheCorridorFromOneHotFeatures() throws {
        let daemon = try TestDaemon(extra: [CorridorEnv.spec])
        let session = try daemon.session("ppo", env: "Corridor-v0", seed: 3)
        var args = PPO.Arguments()
        args.totalSteps = 4096
        args.hiddenSizes = [16]
        let report = try session.finish(try PPO.train(args, session: session), evaluationEpisodes: 5, save: nil)
        #expect(report.evaluation.mean > 0.9, "greedy mean \(report.evaluation.mean)")
    }

    @Test func multiDiscreteActionsAreJointIndices() throws {
        let daemon = try TestDaemon(extra: [CorridorEnv.multiDiscreteSpec])
        let spec = try #require(daemon.connection.listEnvs().first { $0.id == "CorridorMulti-v0" })
        #expect(try SpaceLayout(spec).actionCount == 6)
        let session = try daemon.session("qlearning", env: "CorridorMulti-v0", seed: 5)
        var args = Tabular.Arguments(method: .qLearning)
        args.episodes = 300
        args.penalty = nil
        args.validationEpisodes = 0
        // The daemon refuses actions outside the space: every step sent a valid joint action.
        let report = try session.finish(try Tabular.train(args, session: session), evaluationEpisodes: 5, save: nil)
        #expect(abs(report.evaluation.mean - 0.94) < 1e-9, "greedy mean \(report.evaluation.mean)")
        // Too many joint actions is an error naming the space.
        var huge = spec
        huge.actionSpace = .multiDiscrete(nvec: [64, 65], start: [0, 0])
        #expect(throws: AgentError.self) { try SpaceLayout(huge) }
    }

    @Test func aTableOfTheWrongSizeIsRefusedByEvaluation() throws {
        let daemon = try TestDaemon(extra: [CorridorEnv.spec])
        let session = try daemon.session("qlearning", env: "Corridor-v0", seed: 1)
        let wrong = QTablePolicy(states: .indexed(radices: [7]), actionCount: 2, initialBound: 0.1, seed: 1)
        #expect(throws: AgentError.self) { try session.evaluate(wrong, episodes: 1) }
    }

    @Test func boxAmongDiscretePartsIsATabularErrorNamingTheSpace() throws {
        let spec = EnvSpec(id: "Mixed-v0", observationSpace: .tuple([.discrete(n: 2), .box(low: 0, high: 1, shape: [1])]),
                           actionSpace: .discrete(n: 2), maxEpisodeSteps: 5, rewardThreshold: nil) { _ in CorridorEnv() }
        let daemon = try TestDaemon(extra: [spec])
        let session = try daemon.session("qlearning", env: "Mixed-v0", seed: 1)
        do {
            _ = try Tabular.train(Tabular.Arguments(), session: session)
            Issue.record("tabular training accepted a Box among discrete parts")
        } catch let error as AgentError {
            #expect(error.message.contains("Tuple(Discrete(2), Box(") && error.message.contains("dqn"), "\(error.message)")
        }
    }
}
