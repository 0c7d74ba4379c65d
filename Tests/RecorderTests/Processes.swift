import Foundation
import GymTestSupport

/// A `gym` process started by a test, with its output collected in files (no pipe can fill up).
final class GymProcess {
    let process = Process()
    let stdoutPath: String
    let stderrPath: String

    init(_ arguments: [String], directory: String, name: String) throws {
        stdoutPath = directory + "/\(name).out"
        stderrPath = directory + "/\(name).err"
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = gymBinary
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        try process.run()
    }

    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }
    var lastJSON: [String: Any]? { json(stdout.split(separator: "\n").last.map(String.init) ?? "") }

    /// Waits until stderr contains `text`; false after `timeout` seconds.
    func waitForLog(_ text: String, timeout: Double = 20) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if stderr.contains(text) { return true }
            if !process.isRunning { return stderr.contains(text) }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    /// Sends `signal` and waits up to `timeout` seconds for the exit; returns the status.
    @discardableResult
    func stop(_ signal: Int32 = SIGINT, timeout: Double = 20) -> Int32? {
        if process.isRunning { kill(process.processIdentifier, signal) }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}

/// Runs `gym` to completion.
func gym(_ arguments: [String], directory: String, name: String) throws -> GymProcess {
    let run = try GymProcess(arguments, directory: directory, name: name)
    run.process.waitUntilExit()
    return run
}

/// A fresh directory for one test's files.
func scratchDirectory(_ name: String) throws -> String {
    let path = NSTemporaryDirectory() + "gym-recorder-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// `gym serve --events` and `gym record` on fresh loopback ports, the recorder attached.
struct RecordingSetup {
    let directory: String
    let endpoint: String
    let events: String
    let database: String
    let serve: GymProcess
    let record: GymProcess

    init(name: String, serveArguments: [String] = [], recordArguments: [String] = []) throws {
        directory = try scratchDirectory(name)
        endpoint = "tcp://127.0.0.1:\(freePort())"
        events = "tcp://127.0.0.1:\(freePort())"
        database = directory + "/episodes.sqlite"
        serve = try GymProcess(["serve", "--bind", endpoint, "--events", events, "--workers", "2"] + serveArguments,
                               directory: directory, name: "serve")
        guard serve.waitForLog("listening on") else { throw SetupError("gym serve did not start: \(serve.stderr)") }
        record = try GymProcess(["record", "--events", events, "--out", database, "--json"] + recordArguments,
                                directory: directory, name: "record")
        guard record.waitForLog("attached to the daemon's event stream") else {
            throw SetupError("gym record did not attach: \(record.stderr)")
        }
    }
}

extension RecordingSetup {
    /// Stops both processes and removes the files, unless GYM_RECORD_KEEP is set (then the
    /// recording's path is printed for a closer look).
    func tearDown() {
        record.stop()
        serve.stop()
        if ProcessInfo.processInfo.environment["GYM_RECORD_KEEP"] != nil {
            print("kept \(database)")
        } else {
            try? FileManager.default.removeItem(atPath: directory)
        }
    }
}

struct SetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
