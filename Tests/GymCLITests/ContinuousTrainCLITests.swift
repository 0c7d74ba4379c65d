import Foundation
import GymTestSupport
import Testing

@Suite struct ContinuousTrainCLITests {
    /// A continuous policy saved by `gym train td3 --save` evaluates to the same mean in `gym eval`.
    @Test func td3SavesAPolicyThatEvalReproduces() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gym-train-td3-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let policy = directory.appendingPathComponent("td3.safetensors").path
        let train = try gym(["train", "td3", "--env", "Pendulum-v1", "--seed", "4", "--total-steps", "400", "--learning-starts", "200",
                             "--hidden-sizes", "16,16", "--batch-size", "32", "--eval-episodes", "3",
                             "--logdir", directory.path, "--save", policy, "--json"])
        #expect(train.status == 0, "\(train.stderr)")
        let summary = try #require(json(train.lines.last ?? ""))
        #expect(summary["algo"] as? String == "td3" && summary["steps"] as? Int == 400 && summary["episodes"] as? Int == 2)
        for file in ["episodes.csv", "learning_curve.svg", "td3.safetensors", "td3.safetensors.json"] {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(file).path), "\(file) missing")
        }
        let eval = try gym(["eval", "--policy", policy, "--json"])
        #expect(eval.status == 0, "\(eval.stderr)")
        let replayed = try #require(json(eval.lines.last ?? ""))
        #expect(replayed["episodes"] as? Int == 3)
        #expect((replayed["mean"] as? NSNumber)?.doubleValue == (summary["eval_mean"] as? NSNumber)?.doubleValue)
    }

    @Test func continuousTrainingRejectsBadOptions() throws {
        let tau = try gym(["train", "sac", "--env", "Pendulum-v1", "--tau", "0"])
        #expect(tau.status != 0 && tau.stderr.contains("tau"))
        let discrete = try gym(["train", "ddpg", "--env", "CartPole-v1", "--total-steps", "10", "--quiet"])
        #expect(discrete.status != 0 && discrete.stderr.contains("Box action space"))
    }
}
