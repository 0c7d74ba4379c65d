import Foundation
import GymTestSupport
import Testing

/// `gym train reinforce | a2c | ppo` end to end: the summary, the log files, and a saved policy
/// that `gym eval` plays to the same mean (a softmax policy on CartPole, a Gaussian one on
/// MountainCarContinuous).
@Suite struct PolicyGradientCLITests {
    @Test(arguments: [
        ["reinforce", "CartPole-v1", "--total-steps", "1500"],
        ["a2c", "CartPole-v1", "--total-steps", "2048"],
        ["ppo", "CartPole-v1", "--total-steps", "2048"],
        ["ppo", "MountainCarContinuous-v0", "--total-steps", "2048"],
    ])
    func trainSavesAPolicyThatEvalReproduces(_ command: [String]) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gym-pg-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let policy = directory.appendingPathComponent("policy.safetensors").path
        let (algo, env) = (command[0], command[1])
        let train = try gym(["train", algo, "--env", env] + command.dropFirst(2) + ["--seed", "2", "--eval-episodes", "3",
                            "--logdir", directory.path, "--save", policy, "--json"])
        #expect(train.status == 0, "\(train.stderr)")
        let summary = try #require(json(train.lines.last ?? ""))
        #expect(summary["algo"] as? String == algo && summary["env"] as? String == env)
        #expect(summary["eval_episodes"] as? Int == 3)
        for file in ["episodes.csv", "learning_curve.svg"] {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(file).path), "\(file) missing")
        }
        let eval = try gym(["eval", "--policy", policy, "--json"])
        #expect(eval.status == 0, "\(eval.stderr)")
        let replayed = try #require(json(eval.lines.last ?? ""))
        #expect(replayed["env"] as? String == env)
        #expect((replayed["mean"] as? NSNumber)?.doubleValue == (summary["eval_mean"] as? NSNumber)?.doubleValue)
    }

    @Test func badOptionsAreRejectedWithAMessage() throws {
        let result = try gym(["train", "ppo", "--env", "CartPole-v1", "--clip-range", "0"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--clip-range must be positive"))
        let box = try gym(["train", "reinforce", "--env", "Pendulum-v1", "--total-steps", "10"])
        #expect(box.status != 0)
        #expect(box.stderr.contains("Discrete"))
    }
}
