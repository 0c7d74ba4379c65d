import Foundation
import GymTestSupport
import Testing

/// `gym` processes with keys over tcp loopback: keygen, refused binds, and clients finding
/// their keys in flags, environment variables and the config file.
@Suite(.serialized) struct CLISecurityTests {
    /// A `gym` child with a clean security environment (its own HOME, no GYM_ variables).
    final class Child: @unchecked Sendable {
        let process = Process()
        private let outFile: URL, errFile: URL

        init(_ arguments: [String], home: String, environment extra: [String: String] = [:]) throws {
            process.executableURL = gymBinary
            process.arguments = arguments
            var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GYM_") && $0.key != "XDG_CONFIG_HOME" }
            environment["HOME"] = home
            environment.merge(extra) { $1 }
            process.environment = environment
            outFile = URL(fileURLWithPath: home).appendingPathComponent("out-\(UUID().uuidString)")
            errFile = URL(fileURLWithPath: home).appendingPathComponent("err-\(UUID().uuidString)")
            FileManager.default.createFile(atPath: outFile.path, contents: nil)
            FileManager.default.createFile(atPath: errFile.path, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: outFile)
            process.standardError = try FileHandle(forWritingTo: errFile)
            try process.run()
        }

        var stdout: String { (try? String(contentsOf: outFile, encoding: .utf8)) ?? "" }
        var stderr: String { (try? String(contentsOf: errFile, encoding: .utf8)) ?? "" }

        /// Waits up to `seconds`; kills the child and returns nil if it still runs.
        @discardableResult
        func wait(seconds: Double) -> Int32? {
            let deadline = Date().addingTimeInterval(seconds)
            while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            guard !process.isRunning else { stop(); return nil }
            return process.terminationStatus
        }

        func waitForStderr(_ text: String, seconds: Double) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if stderr.contains(text) { return true }
                if !process.isRunning { return stderr.contains(text) }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return false
        }

        func stop() {
            if process.isRunning { kill(process.processIdentifier, SIGTERM) }
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        }

        deinit { stop() }
    }

    let home: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gym-cli-keys-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path + "/allow", withIntermediateDirectories: true)
        return path
    }()

    private func gym(_ arguments: [String], environment: [String: String] = [:], seconds: Double = 30) throws -> (Int32?, Child) {
        let child = try Child(arguments, home: home, environment: environment)
        return (child.wait(seconds: seconds), child)
    }

    @Test func aBindOtherHostsReachNeedsKeysOrInsecureWhichIsWarnedAtStartAndInJSON() throws {
        defer { try? FileManager.default.removeItem(atPath: home) }
        let (status, refused) = try gym(["serve", "--bind", "tcp://0.0.0.0:\(freePort())"])
        #expect(status != nil && status != 0)
        #expect(refused.stderr.contains("--insecure"), "\(refused.stderr)")

        let open = try Child(["serve", "--bind", "tcp://0.0.0.0:\(freePort())", "--insecure"], home: home)
        #expect(open.waitForStderr("serves plain text", seconds: 20), "\(open.stderr)")
        open.stop()

        let (trained, run) = try gym(["train", "a3c", "--env", "CartPole-v1", "--workers", "1", "--total-steps", "300", "--eval-episodes", "1",
                                      "--quiet", "--json", "--bind-parameters", "tcp://0.0.0.0:\(freePort())", "--insecure"], seconds: 120)
        #expect(trained == 0, "\(run.stderr.suffix(2000))")
        let summary = run.stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(summary.contains("\"security_warnings\"") && summary.contains("plain text"), "\(summary)")
    }

    @Test func keysFromFlagsVariablesAndTheConfigFileServeAndAClientWithoutThemTimesOut() throws {
        defer { try? FileManager.default.removeItem(atPath: home) }
        #expect(try gym(["keygen", home + "/server"]).0 == 0)
        #expect(try gym(["keygen", home + "/allow/client"]).0 == 0)
        #expect(try gym(["keygen", home + "/rogue"]).0 == 0)
        let (again, refused) = try gym(["keygen", home + "/server"])
        #expect(again != 0 && refused.stderr.contains("--force"), "keygen never replaces a key unasked")

        let endpoint = "tcp://127.0.0.1:\(freePort())"
        let server = try Child(["serve", "--bind", endpoint, "--workers", "1", "--curve-secret", home + "/server.secret", "--allow", home + "/allow"], home: home)
        defer { server.stop() }
        #expect(server.waitForStderr("listening on", seconds: 20), "\(server.stderr)")

        let flags = try gym(["envs", "--server", endpoint, "--curve-secret", home + "/allow/client.secret", "--server-key", home + "/server.public"])
        #expect(flags.0 == 0 && flags.1.stdout.contains("CartPole-v1"), "\(flags.1.stderr)")
        let variables = try gym(["envs", "--server", endpoint],
                                environment: ["GYM_CURVE_SECRET": home + "/allow/client.secret", "GYM_SERVER_KEY": home + "/server.public"])
        #expect(variables.0 == 0, "\(variables.1.stderr)")
        try FileManager.default.createDirectory(atPath: home + "/.config/gym", withIntermediateDirectories: true)
        try "curve-secret = ../../allow/client.secret\nserver-key = ../../server.public\n".write(toFile: home + "/.config/gym/config", atomically: true, encoding: .utf8)
        let config = try gym(["envs", "--server", endpoint])
        #expect(config.0 == 0, "\(config.1.stderr)")

        let started = Date()
        let rogue = try gym(["envs", "--server", endpoint, "--timeout", "1", "--curve-secret", home + "/rogue.secret"])
        #expect(rogue.0 != 0 && rogue.1.stderr.contains("timedOut"), "\(rogue.1.stderr)")
        try FileManager.default.removeItem(atPath: home + "/.config/gym/config")
        let anonymous = try gym(["envs", "--server", endpoint, "--timeout", "1"])
        #expect(anonymous.0 != 0 && anonymous.1.stderr.contains("timedOut"), "\(anonymous.1.stderr)")
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(server.waitForStderr("key \(try fingerprint(home + "/rogue.public")) is not in the allowlist", seconds: 5), "\(server.stderr)")
        #expect(server.process.isRunning, "the daemon keeps serving")
    }

    @Test func anApeXRunWithKeysServesItsActorsOverCurve() throws {
        defer { try? FileManager.default.removeItem(atPath: home) }
        #expect(try gym(["keygen", home + "/learner"]).0 == 0)
        let (status, run) = try gym(["train", "dqn", "--env", "CartPole-v1", "--actors", "1", "--total-steps", "1500", "--eval-episodes", "1",
                                     "--quiet", "--json", "--curve-secret", home + "/learner.secret", "--log-level", "info",
                                     "--worker-log-level", "info"], seconds: 120)
        #expect(status == 0, "\(run.stderr.suffix(2000))")
        // The actor (inheriting the learner's key) reached the daemon, the buffer and the parameter service over CURVE.
        let keyed = run.stderr.components(separatedBy: "with key \(try fingerprint(home + "/learner.public"))").count - 1
        #expect(keyed >= 4, "\(run.stderr.suffix(2000))")
        #expect(!run.stderr.contains("without a key"), "\(run.stderr.suffix(2000))")
    }

    private func fingerprint(_ path: String) throws -> String {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let start = try #require(text.range(of: "public-key = \""))
        return String(text[start.upperBound...].prefix(8))
    }
}
