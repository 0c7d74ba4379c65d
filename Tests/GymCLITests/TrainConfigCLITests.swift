import Foundation
import GymTestSupport
import Testing

@Suite struct TrainConfigCLITests {
    /// A fresh folder for one test's files.
    func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gym-config-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// `gym` with GYM_PRESETS set.
    func gymWith(presets: URL, _ arguments: [String]) throws -> Run {
        try gym(arguments, environment: ["GYM_PRESETS": presets.path])
    }

    /// Settings under which every Flyer-v0 episode lasts exactly 40 steps (no gravity, jump or
    /// noise), so the episode count shows that the file's budget, envs and env_args all applied.
    let level = """
    # a level flight
    env: Flyer-v0
    seed: 4
    total_steps: 300
    num-envs: 1
    hidden_sizes: [16, 16]
    env_args:
      gravity: 0
      jump_speed: 0
      noise: 0

    """

    @Test func aFileSetsTheRunAndFlagsOverrideIt() throws {
        let directory = try folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("level.yaml")
        try level.write(to: file, atomically: true, encoding: .utf8)
        let fromFile = try gym(["train", "dqn", "--config", file.path, "--quiet", "--json", "--eval-episodes", "2"])
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        let summary = json(fromFile.lines.last ?? "")
        #expect(summary?["env"] as? String == "Flyer-v0")
        #expect(summary?["seed"] as? Int == 4)
        #expect(summary?["steps"] as? Int == 300)
        #expect(summary?["episodes"] as? Int == 7)

        let overridden = try gym(["train", "dqn", "--config", file.path, "--quiet", "--json", "--eval-episodes", "2",
                                              "--total-steps", "120", "--seed", "2", "--env-arg", "speed=0.1"])
        #expect(overridden.status == 0, "\(overridden.stderr)")
        let changed = json(overridden.lines.last ?? "")
        #expect(changed?["seed"] as? Int == 2)
        #expect(changed?["steps"] as? Int == 120)
        #expect(changed?["episodes"] as? Int == 5)  // twice the speed: 21 steps an episode
    }

    @Test func aBadFileIsAUsageErrorNamingTheFileAndTheKey() throws {
        let directory = try folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cases: [(String, String)] = [
            ("total_stepz: 3\n", "unknown hyperparameter total_stepz"),
            ("algo: ppo\n", "is for ppo, not dqn"),
            ("learning_rate: fast\n", "'fast' is not a valid value for --learning-rate"),
            ("hidden_sizes: {a: 1}\n", "hidden_sizes must be a value or a list of values"),
            ("seed: -1\n", "seed must be a whole number"),
            ("env_args: [1, 2]\n", "env_args must be a mapping"),
            ("a: [1\n", "not YAML"),
            ("- 1\n- 2\n", "expected a mapping of settings"),
            (String(repeating: "# padding\n", count: 120_000), "larger than"),
        ]
        for (index, (text, says)) in cases.enumerated() {
            let file = directory.appendingPathComponent("bad-\(index).yaml")
            try text.write(to: file, atomically: true, encoding: .utf8)
            let run = try gym(["train", "dqn", "--env", "CartPole-v1", "--config", file.path])
            #expect(run.status == 64, "\(says): \(run.stderr)")
            #expect(run.stderr.contains(file.path) && run.stderr.contains(says), "\(run.stderr)")
        }
        let missing = try gym(["train", "dqn", "--env", "CartPole-v1", "--config", directory.appendingPathComponent("none.yaml").path])
        #expect(missing.status == 64 && missing.stderr.contains("cannot be read"), "\(missing.stderr)")
    }

    @Test func aMatchingPresetIsUsedAndSaidUnlessRefused() throws {
        let presets = try folder()
        defer { try? FileManager.default.removeItem(at: presets) }
        try FileManager.default.createDirectory(at: presets.appendingPathComponent("dqn"), withIntermediateDirectories: true)
        let file = presets.appendingPathComponent("dqn/Flyer-v0.yaml")
        try level.replacingOccurrences(of: "env: Flyer-v0\n", with: "").write(to: file, atomically: true, encoding: .utf8)

        let preset = try gymWith(presets: presets, ["train", "dqn", "--env", "Flyer-v0", "--json", "--eval-episodes", "2"])
        #expect(preset.status == 0, "\(preset.stderr)")
        #expect(preset.stderr.contains("using preset \(file.path)"), "\(preset.stderr)")
        #expect(json(preset.lines.last ?? "")?["episodes"] as? Int == 7)

        let refused = try gymWith(presets: presets, ["train", "dqn", "--env", "Flyer-v0", "--json", "--eval-episodes", "2",
                                                     "--total-steps", "300", "--no-preset", "--quiet"])
        #expect(refused.status == 0, "\(refused.stderr)")
        #expect(!refused.stderr.contains("using preset"))
        #expect(json(refused.lines.last ?? "")?["seed"] as? Int == 1)

        let other = try gymWith(presets: presets, ["train", "dqn", "--env", "CartPole-v1", "--total-steps", "50", "--eval-episodes", "1"])
        #expect(!other.stderr.contains("using preset"))
    }
}
