import Foundation
import GymTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Runs as a user meets them: Ctrl-C saves and exits 130, and `--resume` continues to the
/// same final policy as a run never interrupted.
@Suite struct RunCLITests {
    // One run name for both runs: it is in the policy files compared byte for byte (a resumed
    // run keeps its checkpoint's name).
    static let dqn = ["train", "dqn", "--env", "CartPole-v1", "--seed", "2", "--eval-episodes", "3", "--quiet", "--run-name", "resume-test",
                      "--total-steps", "6000", "--learning-starts", "200", "--hidden-sizes", "16,16", "--checkpoint-replay"]

    @Test func sigintSavesAPolicyAndACheckpointThatResumeContinuesBitIdentically() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gym-runs-\(UUID())")
        defer { try? FileManager.default.removeItem(at: root) }
        let whole = root.appendingPathComponent("whole.safetensors").path
        let resumed = root.appendingPathComponent("resumed.safetensors").path
        let run = root.appendingPathComponent("run")

        let uninterrupted = try gym(Self.dqn + ["--checkpoint-dir", root.appendingPathComponent("other").path, "--save", whole])
        #expect(uninterrupted.status == 0, "\(uninterrupted.stderr)")

        // Interrupted once its first checkpoint is on disk.
        let process = Process()
        process.executableURL = gymBinary
        process.arguments = Self.dqn + ["--logdir", run.path, "--checkpoint-every", "500"]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let latest = run.appendingPathComponent("checkpoints/latest")
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: latest.path), process.isRunning, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
        #expect(process.isRunning, "the run ended before it could be interrupted")
        process.interrupt()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 130, "\(stderr)")
        #expect(stderr.contains("interrupted (SIGINT)") && stderr.contains("--resume"), "\(stderr)")
        let last = run.appendingPathComponent("policy-last.safetensors").path
        #expect(FileManager.default.fileExists(atPath: last))
        #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("learning_curve.svg").path))

        // The stopped run's policy plays.
        let eval = try gym(["eval", "--policy", last, "--env", "CartPole-v1", "--episodes", "2", "--json"])
        #expect(eval.status == 0, "\(eval.stderr)")

        // Flags that differ from the saved ones are refused.
        let changed = try gym(["train", "dqn", "--resume", run.path, "--learning-rate", "0.5", "--quiet"])
        #expect(changed.status != 0)
        #expect(changed.stderr.contains("--learning-rate"), "\(changed.stderr)")

        // Resumed, it ends where the uninterrupted run ended, bit for bit.
        let continued = try gym(["train", "dqn", "--resume", run.path, "--eval-episodes", "3", "--save", resumed])
        #expect(continued.status == 0, "\(continued.stderr)")
        // From the checkpoint, not from scratch (which, with the same seed, would end the same too).
        #expect(continued.stderr.contains("resumed from \(run.path)/checkpoints/step-"), "\(continued.stderr)")
        let a = try Data(contentsOf: URL(fileURLWithPath: whole)), b = try Data(contentsOf: URL(fileURLWithPath: resumed))
        #expect(a == b, "the resumed run's policy differs from the uninterrupted run's")
    }

    /// A daemon killed mid-run ends training within the client's timeout, saying what is gone,
    /// with the policy, the curve and the last checkpoint on disk.
    @Test func aDaemonThatDiesEndsTheRunWithItsArtifactsWritten() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gym-runs-\(UUID())")
        defer { try? FileManager.default.removeItem(at: root) }
        let endpoint = "tcp://127.0.0.1:\(freePort())"
        let (serve, _) = try startServe(["--bind", endpoint])
        defer { if serve.isRunning { kill(serve.processIdentifier, SIGKILL) } }
        _ = try #require(try waitForEnvs(endpoint))

        let process = Process()
        process.executableURL = gymBinary
        process.arguments = ["train", "dqn", "--env", "CartPole-v1", "--server", endpoint, "--timeout", "2", "--quiet",
                             "--total-steps", "1000000", "--learning-starts", "200", "--logdir", root.path, "--checkpoint-every", "500"]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let latest = root.appendingPathComponent("checkpoints/latest")
        var deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: latest.path), process.isRunning, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
        #expect(process.isRunning)
        kill(serve.processIdentifier, SIGKILL)
        serve.waitUntilExit()
        let killed = Date()
        deadline = killed.addingTimeInterval(30)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { process.terminate() }
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(Date().timeIntervalSince(killed) < 15, "training went on \(Date().timeIntervalSince(killed)) s after the daemon died")
        #expect(process.terminationStatus == 1, "\(stderr)")
        #expect(stderr.contains("the daemon at \(endpoint) is gone"), "\(stderr)")
        for file in ["policy-last.safetensors", "learning_curve.svg", "episodes.csv"] {
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(file).path), "\(file) missing")
        }
        #expect(stderr.contains("checkpoint: \(root.path)/checkpoints/step-"), "\(stderr)")
    }

    /// A second SIGINT exits at once, even while the first one's orderly stop waits on a daemon
    /// that no longer answers.
    @Test func aSecondSigintExitsAtOnce() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gym-runs-\(UUID())")
        defer { try? FileManager.default.removeItem(at: root) }
        let endpoint = "tcp://127.0.0.1:\(freePort())"
        let (serve, _) = try startServe(["--bind", endpoint])
        defer {
            kill(serve.processIdentifier, SIGCONT)
            if serve.isRunning { kill(serve.processIdentifier, SIGKILL) }
        }
        _ = try #require(try waitForEnvs(endpoint))
        let process = Process()
        process.executableURL = gymBinary
        process.arguments = ["train", "reinforce", "--env", "CartPole-v1", "--server", endpoint, "--timeout", "60",
                             "--total-steps", "10000000", "--logdir", root.path]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let csv = root.appendingPathComponent("episodes.csv")
        let deadline = Date().addingTimeInterval(60)
        while ((try? Data(contentsOf: csv))?.count ?? 0) < 200, process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(process.isRunning)
        // The daemon stops answering: the run's next step waits for its 60 s timeout.
        kill(serve.processIdentifier, SIGSTOP)
        Thread.sleep(forTimeInterval: 0.3)
        process.interrupt()
        Thread.sleep(forTimeInterval: 0.5)
        #expect(process.isRunning, "the first SIGINT waits for the step in flight")
        let second = Date()
        process.interrupt()
        let stopDeadline = second.addingTimeInterval(10)
        while process.isRunning, Date() < stopDeadline { Thread.sleep(forTimeInterval: 0.02) }
        #expect(Date().timeIntervalSince(second) < 3, "the second SIGINT took \(Date().timeIntervalSince(second)) s")
        #expect(!process.isRunning)
        if !process.isRunning { #expect(process.terminationStatus == 130) }
    }

    /// SIGTERM stops REINFORCE (whose boundaries are whole episodes) too: exit 143, a policy
    /// `gym eval` loads, and a checkpoint in the run directory the message names.
    @Test func sigtermStopsReinforceWithItsPolicyAndCheckpointSaved() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gym-runs-\(UUID())")
        defer { try? FileManager.default.removeItem(at: root) }
        let process = Process()
        process.executableURL = gymBinary
        process.arguments = ["train", "reinforce", "--env", "CartPole-v1", "--total-steps", "10000000", "--logdir", root.path]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let csv = root.appendingPathComponent("episodes.csv")
        let deadline = Date().addingTimeInterval(60)
        // The progress line's file flush: some episodes are done.
        while ((try? Data(contentsOf: csv))?.count ?? 0) < 200, process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(process.isRunning)
        process.terminate()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 143, "\(stderr)")
        #expect(stderr.contains("terminated (signal 15)"), "\(stderr)")
        let resume = try #require(stderr.split(separator: "\n").compactMap { line in
            line.range(of: "(continue with --resume ").map { String(line[$0.upperBound...].dropLast()) }
        }.first, "\(stderr)")
        #expect(FileManager.default.fileExists(atPath: URL(fileURLWithPath: resume).appendingPathComponent("checkpoints/latest").path),
                "no checkpoint under \(resume)")
        let policy = root.appendingPathComponent("policy-last.safetensors").path
        let eval = try gym(["eval", "--policy", policy, "--env", "CartPole-v1", "--episodes", "2", "--json"])
        #expect(eval.status == 0, "\(eval.stderr)")
    }
}
