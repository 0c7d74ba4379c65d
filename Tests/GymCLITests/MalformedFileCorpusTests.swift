import Foundation
import GymTestSupport
import Testing

/// Files are input (issue 13): the real `gym` binary over every file of MalformedFileCorpus,
/// each run under a timeout. No run may end by a signal or hang; a run that must refuse its file
/// exits 1 (or 64 for usage) with a message naming the file, and a run that may succeed exits
/// 0, or fails the same clear way. Anything else is a silent wrong result.
@Suite struct MalformedFileCorpusTests {
    /// How one run ended.
    enum Verdict: Equatable {
        case refused, succeeded, signal(Int32), hang, silentlyWrong(String)
    }

    static let timeout = 30.0

    /// The runs' verdicts, filled in from several threads.
    final class Verdicts: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [Verdict?]
        init(count: Int) { values = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ verdict: Verdict) { lock.withLock { values[index] = verdict } }
        var all: [Verdict?] { lock.withLock { values } }
    }

    /// Runs gym with `arguments`, killing it after `timeout` seconds.
    static func run(_ arguments: [String]) throws -> (status: Int32, signalled: Bool, hung: Bool, output: String) {
        let process = Process()
        process.executableURL = gymBinary
        process.arguments = arguments
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("malformed-out-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        var hung = false
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            hung = true
            process.interrupt()
            if exited.wait(timeout: .now() + 2) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                exited.wait()
            }
        }
        try handle.close()
        let text = String(decoding: (try? Data(contentsOf: output)) ?? Data(), as: UTF8.self)
        return (process.terminationStatus, process.terminationReason == .uncaughtSignal, hung, text)
    }

    static func verdict(_ arguments: [String], path: String, mustReject: Bool) throws -> Verdict {
        let result = try run(arguments)
        if result.hung { return .hang }
        if result.signalled { return .signal(result.status) }
        let names = result.output.contains(path) || result.output.contains((path as NSString).lastPathComponent)
        switch result.status {
        case 0 where !mustReject: return .succeeded
        case 0: return .silentlyWrong("exit 0 for a file it must refuse: \(result.output.suffix(300))")
        case 1, 64:
            if names { return .refused }
            // A recording that verifies as different names its episodes, not the file.
            if arguments.contains("--verify"), result.output.contains("episode") { return .refused }
            return .silentlyWrong("exit \(result.status) without naming the file: \(result.output.suffix(300))")
        default:
            return .silentlyWrong("exit \(result.status): \(result.output.suffix(300))")
        }
    }

    @Test func gymNeverCrashesHangsOrAnswersWronglyOnMalformedFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("malformed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputs = try MalformedFileCorpus.all(scratch: directory)
        var planned: [(String, [String], String, Bool)] = []
        for input in inputs {
            let path = try MalformedFileCorpus.write(input, to: directory).path
            for (index, command) in input.commands.enumerated() {
                let out = directory.appendingPathComponent("out-\(input.name)-\(index)").path
                let arguments = command.arguments.map { $0 == "{}" ? path : $0 == "{out}" ? out : $0 }
                planned.append((input.name, arguments, path, command.mustReject))
            }
        }
        let jobs = planned
        // Four runs at a time: each is a short process, mostly waiting on its own start.
        let verdicts = Verdicts(count: jobs.count)
        DispatchQueue.concurrentPerform(iterations: 4) { lane in
            for index in stride(from: lane, to: jobs.count, by: 4) {
                let job = jobs[index]
                verdicts.set(index, (try? Self.verdict(job.1, path: job.2, mustReject: job.3)) ?? .silentlyWrong("could not run"))
            }
        }
        var counts: [String: Int] = [:]
        for (job, verdict) in zip(jobs, verdicts.all) {
            guard let verdict else { continue }
            switch verdict {
            case .refused: counts["refused", default: 0] += 1
            case .succeeded: counts["succeeded", default: 0] += 1
            case .signal(let signal): counts["signals", default: 0] += 1; Issue.record("\(job.0): signal \(signal) from gym \(job.1.joined(separator: " "))")
            case .hang: counts["hangs", default: 0] += 1; Issue.record("\(job.0): no exit within \(Self.timeout) s from gym \(job.1.joined(separator: " "))")
            case .silentlyWrong(let why): counts["silent", default: 0] += 1; Issue.record("\(job.0): gym \(job.1.joined(separator: " ")): \(why)")
            }
        }
        print("malformed-file corpus: \(inputs.count) files, \(jobs.count) runs: \(counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
        #expect(counts["refused", default: 0] > jobs.count / 2)
    }
}
