import Foundation
import GymTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

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

    @Test func sigintReachesEverySeedsRunWhichSavesAndTheCommandExits130() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gym-seeds-stop-\(UUID())")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let process = Process()
        process.executableURL = gymBinary
        process.arguments = ["train", "dqn", "--env", "CartPole-v1", "--seeds", "1,2", "--jobs", "2", "--total-steps", "10000000",
                             "--hidden-sizes", "8", "--checkpoint-dir", root.path, "--checkpoint-every", "300", "--json"]
        let errPath = root.appendingPathComponent("err").path, outPath = root.appendingPathComponent("out").path
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        func stderr() -> String { (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "" }
        // Both runs are training (their signal handlers in place) once each has written a checkpoint.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, [1, 2].contains(where: {
            !FileManager.default.fileExists(atPath: root.appendingPathComponent("seed-\($0)/checkpoints/latest").path)
        }) {
            Thread.sleep(forTimeInterval: 0.1)
        }
        kill(process.processIdentifier, SIGINT)
        let stopBy = Date().addingTimeInterval(60)
        while process.isRunning, Date() < stopBy { Thread.sleep(forTimeInterval: 0.05) }
        #expect(!process.isRunning, "the seeds' runner did not stop: \(stderr().suffix(600))")
        process.waitUntilExit()
        #expect(process.terminationStatus == 130, "\(stderr().suffix(600))")
        let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let runs = json(out.split(separator: "\n").last.map(String.init) ?? "")?["runs"] as? [[String: Any]] ?? []
        #expect(runs.map { $0["exit_status"] as? Int } == [130, 130], "\(out)")
        for seed in [1, 2] {
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("seed-\(seed)/policy-last.safetensors").path),
                    "seed \(seed): \(stderr().suffix(600))")
        }
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
