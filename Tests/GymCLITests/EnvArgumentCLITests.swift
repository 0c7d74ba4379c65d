import Foundation
import GymTestSupport
import Testing

@Suite struct EnvArgumentCLITests {
    /// The observation after the first step of a seeded random rollout of Flyer-v0.
    func firstStep(_ extra: [String]) throws -> String {
        let run = try gym(["rollout", "--env", "Flyer-v0", "--random", "--seed", "3", "--steps", "1"] + extra)
        #expect(run.status == 0, "\(run.stderr)")
        return run.lines.last ?? ""
    }

    @Test func anArgumentReachesTheEnvironment() throws {
        let plain = try firstStep([])
        // Seed 3's first random action is a jump, which sets vy to jump_speed.
        #expect(plain.contains("\"action\": 1"))
        #expect(try firstStep(["--env-arg", "jump_speed=0.2"]) == plain)  // the default, spelled out
        #expect(try firstStep(["--env-arg", "jump_speed=0.5"]).contains("\"obs\": [0.5, 0.5]"))
    }

    @Test func aWrongKeyOrTypeIsAUsageErrorListingTheValidOnes() throws {
        for (command, word, says) in [(["rollout", "--random", "--seed", "1"], "gravty=1", "takes no argument 'gravty'"),
                                      (["train", "dqn", "--total-steps", "10"], "gravity=fast", "gravity=fast is not a number"),
                                      (["rollout", "--random", "--seed", "1"], "gravity", "is not KEY=VALUE")] {
            let run = try gym(command + ["--env", "Flyer-v0", "--env-arg", word])
            #expect(run.status == 64, "\(word): \(run.stderr)")
            #expect(run.stderr.contains(says), "\(run.stderr)")
            #expect(run.stderr.contains("gravity (a number), jump_speed (a number), noise (a number), speed (a number)"))
        }
    }

    @Test func trainingUsesTheArgumentsForEveryEnvironmentItMakes() throws {
        // A Flyer with no gravity, no jump and no noise flies level: every episode crosses the
        // square in 40 steps whatever the agent does, so 300 steps end exactly 7 episodes.
        let run = try gym(["train", "dqn", "--env", "Flyer-v0", "--total-steps", "300", "--eval-episodes", "2", "--quiet", "--json",
                           "--env-arg", "gravity=0", "--env-arg", "jump_speed=0", "--env-arg", "noise=0", "--num-envs", "1"])
        #expect(run.status == 0, "\(run.stderr)")
        let summary = json(run.lines.last ?? "")
        #expect(summary?["episodes"] as? Int == 7)
        #expect(summary?["eval_mean"] as? Double == 1)
    }
}
