import Foundation
import GymTestSupport
import Testing

/// `gym train --seeds`: one child run per seed, named and saved apart, and the aggregate of
/// their final evaluations (mean ± std and interquartile mean).
@Suite struct MultiSeedCLITests {
    static let qlearning = ["train", "qlearning", "--env", "CartPole-v0", "--episodes", "15", "--eval-episodes", "4"]

    @Test func fiveSeedsTwoAtATimeGiveEachRunsResultAndTheirAggregate() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gym-seeds-\(UUID())")
        defer { try? FileManager.default.removeItem(at: root) }
        let save = root.appendingPathComponent("policy.safetensors").path
        let run = try gym(Self.qlearning + ["--seeds", "1-3,7,9", "--jobs", "2", "--run-name", "study", "--save", save,
                                            "--logdir", root.appendingPathComponent("logs").path, "--json"], timeout: 120)
        #expect(run.status == 0, "\(run.stderr)")
        let summary = try #require(json(run.stdout.split(separator: "\n").last.map(String.init) ?? ""), "\(run.stdout)")
        #expect(summary["seeds"] as? [Int] == [1, 2, 3, 7, 9])
        #expect(summary["completed"] as? Int == 5 && summary["failed"] as? Int == 0 && summary["jobs"] as? Int == 2)
        let runs = summary["runs"] as? [[String: Any]] ?? []
        #expect(runs.map { $0["run"] as? String } == ["study-seed1", "study-seed2", "study-seed3", "study-seed7", "study-seed9"])
        let finals = runs.compactMap { $0["eval_mean"] as? Double }
        #expect(finals.count == 5)
        let mean = finals.reduce(0, +) / 5
        let squares: Double = finals.map { ($0 - mean) * ($0 - mean) }.reduce(0, +)
        let std = (squares / 5).squareRoot()
        let middle: [Double] = Array(finals.sorted()[1...3])
        let iqm = middle.reduce(0, +) / 3
        let reported: [Double] = ["eval_mean", "eval_std", "eval_iqm"].map { summary[$0] as? Double ?? .nan }
        #expect(zip(reported, [mean, std, iqm]).allSatisfy { abs($0 - $1) < 1e-9 }, "\(reported) against \([mean, std, iqm])")

        // Each seed's run is the single run with that seed, saved under its own name.
        let single = try gym(Self.qlearning + ["--seed", "7", "--json"])
        let seven = try #require(json(single.stdout.split(separator: "\n").last.map(String.init) ?? ""))
        #expect(seven["eval_mean"] as? Double == runs[3]["eval_mean"] as? Double)
        #expect((seven["run"] as? String)?.hasPrefix("qlearning-CartPole-v0-7-") == true, "\(seven)")
        let metadata = try #require(json(String(decoding: try Data(contentsOf: URL(fileURLWithPath: root.appendingPathComponent("policy-seed7.safetensors.json").path)), as: UTF8.self)
            .split(separator: "\n").joined()))
        #expect(metadata["run"] as? String == "study-seed7")
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("logs/seed-9/episodes.csv").path))
    }

    @Test func badSeedListsAreRefusedNamingWhatIsWrong() throws {
        for (seeds, message) in [("3-1", "backwards"), ("1,,2", "neither"), ("1,1", "twice"), ("0-5000", "more than 1000")] {
            let run = try gym(Self.qlearning + ["--seeds", seeds])
            #expect(run.status != 0)
            #expect(run.stderr.contains(message), "\(seeds): \(run.stderr)")
        }
        let both = try gym(Self.qlearning + ["--seeds", "1,2", "--seed", "3"])
        #expect(both.status != 0 && both.stderr.contains("drop --seed"), "\(both.stderr)")
    }
}
