import Foundation
import GymClient
import GymCore
import GymTestSupport
import Testing

/// Distributed runs as users start them: real `gym` processes over tcp loopback.
@Suite(.serialized) struct FailureTests {
    @Test func a3cSurvivesAWorkerKilledMidRunAndWelcomesALateJoiner() throws {
        let learner = try GymProcess(["train", "a3c", "--env", "CartPole-v1", "--workers", "3", "--seed", "3", "--total-steps", "60000",
                                      "--eval-episodes", "10", "--json", "--log-level", "info"])
        let endpoint = try #require(learner.waitForStderr("parameter service on (tcp://[0-9.:]+)", seconds: 60))
        let victim = try #require(learner.waitForStderr("started worker process 1 \\(pid ([0-9]+)\\)", seconds: 30).flatMap { Int32($0) })
        #expect(learner.waitForStderr("episode [0-9]+ \\|", seconds: 60) != nil, "training is under way")
        #expect(kill(victim, SIGKILL) == 0)
        // A worker started by hand after the run began joins it.
        let late = try GymProcess(["worker", "--learner", endpoint, "--json"])
        let status = learner.waitForExit(seconds: 400)
        #expect(status == 0, "\(learner.stderr.suffix(2000))")
        let summary = try #require(learner.lastJSON)
        // Random play scores about 22; the threshold is clearly better while CI budgets stay small.
        // Asynchronous workers make the run differ from one machine load to the next (75.9 seen with
        // a build running beside it, 115 on a loaded machine, 150-500 on a quiet one), so the bar
        // sits below the worst seen and still near three times random play.
        let mean = try #require(summary["eval_mean"] as? Double)
        #expect(mean >= 60, "eval_mean \(mean)")
        // The learner counts every worker that joined (the killed one may have died before it did),
        // the late one as remote, and prints counts as integers.
        #expect((summary["workers"] as? Int ?? 0) >= 3 && summary["remote_workers"] as? Int == 1, "\(summary)")
        #expect(learner.stdout.range(of: "\"workers\": [0-9]+[,}]", options: .regularExpression) != nil, "\(learner.stdout.suffix(400))")
        #expect(late.waitForExit(seconds: 30) == 0, "\(late.stderr)")
        let joined = try #require(late.lastJSON, "\(late.stdout) \(late.stderr)")
        // It got an index of its own (the spawned workers hold 0 to 2, unless one was slower to join) and trained.
        #expect((joined["worker"] as? Int).map { (0...3).contains($0) } == true && (joined["steps"] as? Int ?? 0) > 0, "\(joined) \(late.stderr)")
    }

    @Test func apexTrainsWithTwoActorsAndAnActorKilledMidRun() throws {
        let learner = try GymProcess(["train", "dqn", "--env", "CartPole-v1", "--actors", "2", "--seed", "1", "--total-steps", "12000",
                                      "--eval-episodes", "10", "--json", "--log-level", "info"])
        let victim = try #require(learner.waitForStderr("started worker process 0 \\(pid ([0-9]+)\\)", seconds: 60).flatMap { Int32($0) })
        #expect(learner.waitForStderr("episode [0-9]+ \\|", seconds: 60) != nil, "training is under way")
        #expect(kill(victim, SIGKILL) == 0)
        let status = learner.waitForExit(seconds: 400)
        #expect(status == 0, "\(learner.stderr.suffix(2000))")
        let summary = try #require(learner.lastJSON)
        #expect((summary["steps"] as? Int ?? 0) >= 12000 || summary["solved"] as? Bool == true, "\(summary)")
        #expect((summary["eval_mean"] as? Double ?? 0) >= 100, "\(summary)")
        #expect(summary["actors"] as? Int == 2 && summary["remote_actors"] as? Int == 0, "\(summary)")
    }

    @Test func aWorkerWhoseLearnerIsGoneTimesOut() throws {
        let started = Date()
        let worker = try GymProcess(["worker", "--learner", "tcp://127.0.0.1:\(freePort())", "--timeout", "0.5"])
        let status = worker.waitForExit(seconds: 20)
        #expect(status != nil && status != 0)
        #expect(worker.stderr.contains("timedOut") || worker.stderr.contains("within"), "\(worker.stderr)")
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func aKilledBufferComesBackFromItsCheckpointWithTheSameItems() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("buffer-restart-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let endpoint = "tcp://127.0.0.1:\(freePort())"
        let arguments = ["buffer", "--bind", endpoint, "--table", "replay,selector=prioritized,max-size=1000",
                         "--checkpoint", directory.path, "--checkpoint-every", "0.2"]
        let first = try GymProcess(arguments)
        let client = try BufferClient(endpoint: endpoint, timeout: 10)
        let values = (0..<300).map(Double.init)
        _ = try client.insert(table: "replay", columns: [
            TensorColumn("obs", NDArray(dtype: .float32, shape: [300, 4], values: values.flatMap { [$0, -$0, $0 / 2, 1] })),
            TensorColumn("action", NDArray(dtype: .int64, shape: [300], values: values.map { $0.truncatingRemainder(dividingBy: 2) })),
        ], priorities: values.map { $0 + 1 })
        let before = try client.info(table: "replay")
        // Wait for a periodic checkpoint to hold the items, then kill without warning.
        try client.checkpoint()
        #expect(kill(first.pid, SIGKILL) == 0)
        first.waitForExit(seconds: 10)

        let second = try GymProcess(arguments)
        defer { kill(second.pid, SIGTERM); second.waitForExit(seconds: 10) }
        let again = try BufferClient(endpoint: endpoint, timeout: 10)
        let after = try again.info(table: "replay")
        #expect(after.size == 300 && after.size == before.size && after.nextKey == before.nextKey && after.inserts == before.inserts)
        let drawn = try again.sample(table: "replay", batchSize: 2000)
        let observations = try #require(drawn.columns["obs"]).floats
        for (row, key) in drawn.keys.enumerated() {
            #expect(observations[row * 4] == Float(key) && observations[row * 4 + 1] == -Float(key))
        }
        #expect(Set(drawn.keys).count > 250, "prioritized draws cover the restored items")
        // Graceful stop writes one more checkpoint; a third start sees what the second held.
        _ = try again.insert(table: "replay", columns: [
            TensorColumn("obs", NDArray(dtype: .float32, shape: [1, 4], values: [7, 7, 7, 7])),
            TensorColumn("action", NDArray(dtype: .int64, shape: [1], values: [1])),
        ])
        kill(second.pid, SIGTERM)
        #expect(second.waitForExit(seconds: 10) == 0)
        let third = try GymProcess(arguments)
        defer { kill(third.pid, SIGTERM); third.waitForExit(seconds: 10) }
        #expect(try BufferClient(endpoint: endpoint, timeout: 10).info(table: "replay").size == 301)
    }
}
