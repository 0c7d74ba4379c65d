import Agents
import Foundation
import Testing

@Suite struct TabularTests {
    /// Random play on CartPole-v0 averages about 22 steps.
    @Test func qLearningBalancesCartPoleWithinAHundredEpisodes() throws {
        let daemon = try TestDaemon()
        let session = try daemon.session("qlearning", env: "CartPole-v0", seed: 1)
        var args = Tabular.Arguments(method: .qLearning)
        args.episodes = 100
        args.validationEpisodes = 0
        let trained = try Tabular.train(args, session: session)
        let report = try session.finish(trained, evaluationEpisodes: 10, save: nil)
        #expect(report.episodes == 100)
        #expect(report.evaluation.mean >= 100, "greedy mean \(report.evaluation.mean)")
    }

    @Test func sarsaBeatsRandomPlay() throws {
        let daemon = try TestDaemon()
        let session = try daemon.session("sarsa", env: "CartPole-v0", seed: 2)
        var args = Tabular.Arguments(method: .sarsa)
        args.episodes = 200
        args.validationEpisodes = 0
        let report = try session.finish(try Tabular.train(args, session: session), evaluationEpisodes: 10, save: nil)
        #expect(report.evaluation.mean >= 80, "greedy mean \(report.evaluation.mean)")
    }

    @Test func theSameSeedGivesTheSameRun() throws {
        func run() throws -> (TrainingReport, [Float]) {
            let daemon = try TestDaemon()
            let session = try daemon.session("sarsa", env: "CartPole-v0", seed: 3)
            var args = Tabular.Arguments(method: .sarsa)
            args.episodes = 30
            let trained = try Tabular.train(args, session: session)
            let table = try #require(trained.policy as? QTablePolicy)
            return (try session.finish(trained, evaluationEpisodes: 5, save: nil), table.values)
        }
        let (first, firstTable) = try run()
        let (second, secondTable) = try run()
        #expect(first.steps == second.steps)
        #expect(first.evaluation == second.evaluation)
        #expect(firstTable == secondTable)
    }

    @Test func unboundedObservationsNeedRanges() throws {
        let daemon = try TestDaemon()
        let session = try daemon.session("qlearning", env: "Flyer-v0", seed: 1)
        var args = Tabular.Arguments(method: .qLearning)
        args.episodes = 1
        #expect(throws: AgentError.self) { try Tabular.train(args, session: session) }
        args.low = [-1, -1]
        args.high = [1, 1]
        #expect(try Tabular.train(args, session: session).episodes == 1)
    }
}
