import Foundation
import Testing

/// Two `gym train` runs at once against one recorded daemon, and a client that says nothing of
/// itself: `gym replay --list` tells every episode's run and role, and filters by them.
@Suite(.serialized) struct RunDescriptionEndToEndTests {
    @Test func replayListShowsWhichRunAndRolePlayedEachEpisode() throws {
        let setup = try RecordingSetup(name: "runs")
        defer { setup.tearDown() }
        let common = ["--server", setup.endpoint, "--eval-episodes", "3", "--quiet", "--json"]
        // Flyer with a one-episode solve window: the first +1 episode prompts a greedy validation.
        let alpha = try GymProcess(["train", "dqn", "--env", "Flyer-v0", "--seed", "1", "--total-steps", "1500", "--learning-starts", "100",
                                    "--hidden-sizes", "8", "--solve-window", "1", "--validation-episodes", "2", "--no-preset",
                                    "--run-name", "alpha"] + common, directory: setup.directory, name: "alpha")
        let beta = try GymProcess(["train", "qlearning", "--env", "CartPole-v0", "--seed", "2", "--episodes", "12",
                                   "--run-name", "beta"] + common, directory: setup.directory, name: "beta")
        alpha.process.waitUntilExit()
        beta.process.waitUntilExit()
        #expect(alpha.process.terminationStatus == 0, "\(alpha.stderr)")
        #expect(beta.process.terminationStatus == 0, "\(beta.stderr)")
        // A client without a description (as every client before it): its episodes have no run.
        let rollout = try gym(["rollout", "--env", "CartPole-v1", "--seed", "5", "--random", "--server", setup.endpoint],
                              directory: setup.directory, name: "rollout")
        #expect(rollout.process.terminationStatus == 0, "\(rollout.stderr)")
        #expect(setup.record.stop(SIGINT) == 0, "\(setup.record.stderr)")
        #expect(setup.serve.stderr.contains("run alpha, algorithm dqn, role train"), "the daemon logs who said hello")

        let listing = try gym(["replay", setup.database, "--list", "--json"], directory: setup.directory, name: "list")
        #expect(listing.process.terminationStatus == 0, "\(listing.stderr)")
        let episodes = try #require(listing.lastJSON?["episodes"] as? [[String: Any]])
        var counts: [String: Int] = [:]
        for episode in episodes {
            counts["\(episode["run"] as? String ?? "-")/\(episode["role"] as? String ?? "-")", default: 0] += 1
        }
        #expect(counts["alpha/train", default: 0] >= 5, "\(counts)")
        #expect(counts["alpha/validate", default: 0] >= 2, "\(counts)")
        #expect(counts["alpha/eval", default: 0] >= 3, "\(counts)")
        // Twelve training episodes, and the one the trainer started before it closed its env.
        #expect(counts["beta/train", default: 0] >= 12, "\(counts)")
        #expect(counts["beta/eval", default: 0] >= 3, "\(counts)")
        #expect(counts["-/-"] == 1, "\(counts)")
        #expect(Set(counts.keys) == ["alpha/train", "alpha/validate", "alpha/eval", "beta/train", "beta/eval", "-/-"], "\(counts)")
        let algorithms = ["alpha": "dqn", "beta": "qlearning"]
        #expect(episodes.allSatisfy { episode in
            guard let run = episode["run"] as? String else { return episode["algorithm"] is NSNull }
            return algorithms[run] == episode["algorithm"] as? String
        })
        // The table shows the run and role in its last two columns.
        let rows = listing.stdout.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        #expect(rows.first?.suffix(2) == ["run", "role"])
        #expect(rows.contains { $0.suffix(2) == ["beta", "train"] })

        let filtered = try gym(["replay", setup.database, "--list", "--run", "beta", "--role", "eval", "--json"],
                               directory: setup.directory, name: "filtered")
        let only = try #require(filtered.lastJSON?["episodes"] as? [[String: Any]])
        #expect(only.count == counts["beta/eval"], "\(filtered.stdout)")
        #expect(only.allSatisfy { $0["run"] as? String == "beta" && $0["role"] as? String == "eval" })
        let wrongRole = try gym(["replay", setup.database, "--list", "--role", "learner"], directory: setup.directory, name: "wrong-role")
        #expect(wrongRole.process.terminationStatus != 0)
        #expect(wrongRole.stderr.contains("train, validate, eval, worker"), "\(wrongRole.stderr)")
    }
}
