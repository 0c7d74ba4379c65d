import Foundation
import GymTestSupport
import Testing

struct Run {
    let status: Int32
    let stdout: String
    let stderr: String
    var lines: [String] { stdout.split(separator: "\n").map(String.init) }
}

/// Runs `gym` with `arguments`, and `environment` added to this process's.
@discardableResult
func gym(_ arguments: [String], timeout: Double = 60, environment: [String: String] = [:]) throws -> Run {
    let process = Process()
    process.executableURL = gymBinary
    process.arguments = arguments
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
}

/// Starts `gym serve` with these arguments; its log goes to the returned pipe.
func startServe(_ arguments: [String]) throws -> (Process, Pipe) {
    let serve = Process()
    serve.executableURL = gymBinary
    serve.arguments = ["serve"] + arguments
    let logs = Pipe()
    serve.standardError = logs
    serve.standardOutput = FileHandle.nullDevice
    try serve.run()
    return (serve, logs)
}

/// `gym envs --json` from a daemon that may still be starting, retried for up to 5 s.
func waitForEnvs(_ endpoint: String) throws -> [String: Any]? {
    for _ in 0..<50 {
        let run = try gym(["envs", "--server", endpoint, "--json", "--timeout", "1"])
        if run.status == 0 { return json(run.lines.last ?? "") }
        Thread.sleep(forTimeInterval: 0.1)
    }
    return nil
}

@Suite struct CLITests {
    @Test func rolloutPrintsTheDocumentedFormat() throws {
        let run = try gym(["rollout", "--env", "CartPole-v1", "--seed", "0", "--random", "--steps", "50"])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.lines
        #expect(lines.count >= 2 && lines.count <= 51)
        let reset = json(lines[0])?["reset"] as? [String: Any]
        #expect((reset?["obs"] as? [Any])?.count == 4)
        for (index, line) in lines.dropFirst().enumerated() {
            let step = try #require(json(line), "line \(index + 1) is not JSON: \(line)")
            #expect(Set(step.keys) == ["t", "action", "obs", "reward", "terminated", "truncated"])
            #expect(step["t"] as? Int == index + 1)
            #expect([0, 1].contains(step["action"] as? Int))
            #expect((step["obs"] as? [Any])?.count == 4)
            let ended = (step["terminated"] as? Bool ?? false) || (step["truncated"] as? Bool ?? false)
            #expect(!ended || index == lines.count - 2, "the rollout must stop at the episode's end")
        }
        // Observation numbers are printed in the shortest form that reads back to the same float32.
        let text = lines[1]
        let obs = text[text.range(of: "\"obs\": [")!.upperBound...].prefix { $0 != "]" }
        for token in obs.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let value = try #require(Float(token))
            #expect(value.description == token)
        }
    }

    @Test func rolloutReplaysAnActionsFileAndSummarises() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("actions-\(UUID()).json")
        try Data("[0, 1, 1, 0, 1]".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let first = try gym(["rollout", "--env", "CartPole-v1", "--seed", "3", "--actions-file", file.path, "--json"])
        let second = try gym(["rollout", "--env", "CartPole-v1", "--seed", "3", "--actions-file", file.path, "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout == second.stdout)
        #expect(first.lines.count == 7)
        #expect(first.lines.dropFirst().prefix(5).compactMap { json($0)?["action"] as? Int } == [0, 1, 1, 0, 1])
        let summary = json(first.lines.last ?? "")
        #expect(summary?["steps"] as? Int == 5)
        #expect(summary?["return"] as? Double == 5)
    }

    @Test func rolloutRejectsBadArguments() throws {
        let neither = try gym(["rollout", "--env", "CartPole-v1", "--seed", "0"])
        #expect(neither.status != 0)
        #expect(neither.stderr.contains("--actions-file"))
        let unknown = try gym(["rollout", "--env", "Nope-v0", "--seed", "0", "--random", "--steps", "3"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("unknownEnv"))
    }

    @Test func serveInOneProcessEnvsInAnother() throws {
        let endpoint = "tcp://127.0.0.1:\(freePort())"
        let (serve, logs) = try startServe(["--bind", endpoint, "--workers", "2"])
        defer { if serve.isRunning { serve.terminate() } }
        let listing = try waitForEnvs(endpoint)
        let envs = try #require(listing?["envs"] as? [[String: Any]])
        let cartPole = try #require(envs.first { $0["id"] as? String == "CartPole-v1" })
        #expect((cartPole["action_space"] as? [String: Any])?["n"] as? Int == 2)
        #expect((cartPole["observation_space"] as? [String: Any])?["shape"] as? [Int] == [4])
        #expect(cartPole["max_episode_steps"] as? Int == 500)
        // SIGTERM: a graceful stop that says so.
        serve.terminate()
        let deadline = Date().addingTimeInterval(10)
        while serve.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(!serve.isRunning)
        #expect(serve.terminationStatus == 0)
        let log = String(decoding: logs.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(log.contains("listening on \(endpoint)"))
        #expect(log.contains("stopped after"))
    }

    @Test func aSignalTheMomentServeIsListeningStopsItGracefully() throws {
        for _ in 0..<3 {
            let endpoint = "tcp://127.0.0.1:\(freePort())"
            let (serve, logs) = try startServe(["--bind", endpoint])
            defer { if serve.isRunning { serve.interrupt() } }
            var log = ""
            while !log.contains("listening on") {
                let chunk = logs.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                log += String(decoding: chunk, as: UTF8.self)
            }
            serve.terminate()
            let deadline = Date().addingTimeInterval(10)
            while serve.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
            #expect(!serve.isRunning)
            #expect(serve.terminationStatus == 0)
            log += String(decoding: logs.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(log.contains("stopped after"))
        }
    }

    @Test(arguments: ["serve", "envs", "rollout", "bench"])
    func helpExplainsEachCommand(command: String) throws {
        let run = try gym([command, "--help"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("USAGE: gym \(command)"))
        #expect(run.stdout.contains("OPTIONS:"))
    }
}

@Suite struct PluginCLITests {
    @Test func servePluginsDirectoryLoadsACPluginAndSkipsBrokenOnes() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../PluginTests/Fixtures/build_fixtures.sh").standardized
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gym-cli-plugins-\(UUID())").path
        let build = Process()
        build.executableURL = URL(fileURLWithPath: "/bin/bash")
        build.arguments = [fixtures.path, directory]
        try build.run()
        build.waitUntilExit()
        #expect(build.terminationStatus == 0)

        let endpoint = "tcp://127.0.0.1:\(freePort())"
        let (serve, logs) = try startServe(["--bind", endpoint, "--plugins", directory])
        defer { if serve.isRunning { serve.terminate() } }
        let listing = try waitForEnvs(endpoint)
        let ids = (listing?["envs"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(ids.contains("Counter-v0"))
        #expect(ids.contains("CartPole-v1"))
        #expect(!ids.contains("Broken-v0"))
        // A client steps the C environment through the daemon.
        let actions = FileManager.default.temporaryDirectory.appendingPathComponent("counter-\(UUID()).json")
        try Data("[2, 2, 2, 2]".utf8).write(to: actions)
        let rollout = try gym(["rollout", "--env", "Counter-v0", "--seed", "0", "--actions-file", actions.path, "--server", endpoint, "--json"])
        #expect(rollout.status == 0, "\(rollout.stderr)")
        #expect(rollout.lines.count == 5)  // reset, three steps to reach 3, summary
        #expect(json(rollout.lines.last ?? "")?["terminated"] as? Bool == true)
        serve.terminate()
        serve.waitUntilExit()
        let log = String(decoding: logs.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(log.contains("skipping plugin") && log.contains("not_a_library.so"))
        #expect(log.contains("wrong_abi.so"))
        #expect(log.contains("loaded plugin counter"))
    }
}

@Suite struct TrainCLITests {
    @Test func trainSavesAPolicyThatEvalReproduces() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gym-train-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let policy = directory.appendingPathComponent("policy.safetensors").path
        let train = try gym(["train", "qlearning", "--env", "CartPole-v0", "--seed", "3", "--episodes", "60", "--eval-episodes", "5",
                             "--logdir", directory.path, "--save", policy, "--json"])
        #expect(train.status == 0, "\(train.stderr)")
        let summary = try #require(json(train.lines.last ?? ""))
        #expect(Set(summary.keys) == ["algo", "env", "run", "seed", "steps", "episodes", "wall_s", "eval_episodes", "eval_mean", "eval_std", "solved"])
        #expect((summary["run"] as? String)?.hasPrefix("qlearning-CartPole-v0-3-") == true, "\(summary)")
        #expect(summary["eval_episodes"] as? Int == 5)
        #expect(train.stderr.contains("episode"))  // the progress line
        for file in ["episodes.csv", "learning_curve.svg"] {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(file).path), "\(file) missing")
        }
        let eval = try gym(["eval", "--policy", policy, "--env", "CartPole-v0", "--episodes", "5", "--json"])
        #expect(eval.status == 0, "\(eval.stderr)")
        #expect((json(eval.lines.last ?? "")?["mean"] as? NSNumber)?.doubleValue == (summary["eval_mean"] as? NSNumber)?.doubleValue)
    }
}
