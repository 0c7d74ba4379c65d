import Agents
import ArgumentParser
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// `gym train ALGO --seeds LIST [--jobs N]`: the same training once per seed, each seed a child
/// `gym train --seed S` process (at most N at once), then the aggregate of their final
/// evaluations (`SeedAggregate`).
///
/// Child processes rather than tasks in this process: each run keeps its own embedded daemon,
/// signal handling, logs, checkpoints and exit status, exactly as if started by hand, and one
/// that crashes takes no other down. Foundation starts each child in a process group of its own,
/// so the terminal's Ctrl-C reaches this process only: it passes every SIGINT and SIGTERM on to
/// the running children, which stop and save as a single run does (a second one, at once).
struct MultiSeedRun {
    /// The algorithm and environment, for the default run names.
    let algo: String
    let env: String
    let seeds: [UInt64]
    let jobs: Int
    /// --run-name: each seed's run is `NAME-seedS`; without it, each gets the single-run default
    /// `ALGO-ENV-SEED-TIME`, all with this command's start time.
    let runName: String?
    let json: Bool
    let quiet: Bool
    let logdir: String?
    let save: String?
    let checkpointDir: String?
    /// The command's arguments (after the executable) as given.
    let arguments: [String]
    let started = Date()

    /// The options set per child, removed from the arguments passed on (with their values).
    static let perChildOptions = ["--seeds", "--jobs", "--seed", "--run-name", "--logdir", "--save", "--checkpoint-dir"]
    /// The flags set per child.
    static let perChildFlags = ["--json", "--quiet"]

    /// One seed's run as it ended.
    struct Outcome {
        let seed: UInt64
        let run: String
        let status: Int32
        /// The child's JSON summary, nil when it printed none (it failed or was stopped).
        let summary: [String: Any]?
        var evalMean: Double? { (summary?["eval_mean"] as? NSNumber)?.doubleValue }
    }

    /// The name of `seed`'s run.
    func name(of seed: UInt64) -> String {
        runName.map { "\($0)-seed\(seed)" } ?? TrainOptions.defaultRunName(algo: algo, env: env, seed: seed, now: started)
    }

    /// `seed`'s arguments: the given ones without the per-child options, then this seed's.
    func childArguments(seed: UInt64) -> [String] {
        var kept: [String] = []
        var skipNext = false
        for argument in arguments {
            if skipNext { skipNext = false; continue }
            if Self.perChildOptions.contains(argument) { skipNext = true; continue }
            if Self.perChildOptions.contains(where: { argument.hasPrefix($0 + "=") }) || Self.perChildFlags.contains(argument) { continue }
            kept.append(argument)
        }
        kept += ["--seed", String(seed), "--run-name", name(of: seed), "--json"]
        if quiet || jobs > 1 { kept.append("--quiet") }
        if let logdir { kept += ["--logdir", URL(fileURLWithPath: logdir).appendingPathComponent("seed-\(seed)").path] }
        if let checkpointDir { kept += ["--checkpoint-dir", URL(fileURLWithPath: checkpointDir).appendingPathComponent("seed-\(seed)").path] }
        if let save {
            let url = URL(fileURLWithPath: save)
            let stem = url.deletingPathExtension().lastPathComponent + "-seed\(seed)"
            let file = url.pathExtension.isEmpty ? stem : stem + "." + url.pathExtension
            kept += ["--save", url.deletingLastPathComponent().appendingPathComponent(file).path]
        }
        return kept
    }

    /// Runs every seed, prints each one's result and the aggregate, and exits non-zero when a
    /// seed failed (1) or the runs were stopped by a signal (128 + the signal).
    func run() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("gym-seeds-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let stop = SignalNote()
        var logger = Logger(label: "gym.train")
        logger.logLevel = .notice
        let signals = ShutdownSignals(logger: logger, message: "stopping every seed's run at its next step boundary")
        signals.onSignalNumber { stop.note($0) }
        multiSeedSignals = signals

        var waiting = seeds[...]
        var running: [(seed: UInt64, process: Process, output: URL)] = []
        var outcomes: [UInt64: Outcome] = [:]
        while !waiting.isEmpty || !running.isEmpty {
            for number in stop.take() {
                for child in running where child.process.isRunning { kill(child.process.processIdentifier, number) }
            }
            while running.count < jobs, stop.signal == nil, let seed = waiting.popFirst() {
                let output = scratch.appendingPathComponent("seed-\(seed).out")
                _ = FileManager.default.createFile(atPath: output.path, contents: nil)
                let process = Process()
                process.executableURL = WorkerFleet.currentExecutable
                process.arguments = childArguments(seed: seed)
                process.standardOutput = try FileHandle(forWritingTo: output)
                process.standardError = FileHandle.standardError
                try process.run()
                if !quiet { FileHandle.standardError.write(Data("seed \(seed): started run \(name(of: seed))\n".utf8)) }
                running.append((seed, process, output))
            }
            if stop.signal != nil { waiting.removeAll() }
            for child in running where !child.process.isRunning {
                let last = ((try? String(contentsOf: child.output, encoding: .utf8)) ?? "").split(separator: "\n").last.map(String.init) ?? ""
                let summary = (try? JSONSerialization.jsonObject(with: Data(last.utf8))) as? [String: Any]
                outcomes[child.seed] = Outcome(seed: child.seed, run: name(of: child.seed), status: child.process.terminationStatus,
                                               summary: child.process.terminationStatus == 0 ? summary : nil)
            }
            running.removeAll { !$0.process.isRunning }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let ended = seeds.compactMap { outcomes[$0] }
        report(ended, skipped: seeds.count - ended.count)
        if let number = stop.signal { throw ExitCode(128 + number) }
        if ended.contains(where: { $0.evalMean == nil }) || ended.count < seeds.count { throw ExitCode(1) }
    }

    private func report(_ outcomes: [Outcome], skipped: Int) {
        let finals = outcomes.compactMap(\.evalMean)
        let aggregate = SeedAggregate(finals)
        let wall = Date().timeIntervalSince(started)
        if json {
            let runs: [JSONText] = outcomes.map { outcome in
                .object([("seed", .int(Int64(bitPattern: outcome.seed))), ("run", .string(outcome.run)), ("exit_status", .int(Int64(outcome.status))),
                         ("eval_mean", outcome.evalMean.map(JSONText.double) ?? .null),
                         ("steps", (outcome.summary?["steps"] as? NSNumber).map { .int($0.int64Value) } ?? .null),
                         ("wall_s", (outcome.summary?["wall_s"] as? NSNumber).map { .double($0.doubleValue) } ?? .null)])
            }
            print(JSONText.object([
                ("algo", .string(algo)), ("env", .string(env)), ("run", runName.map(JSONText.string) ?? .null),
                ("seeds", .array(seeds.map { .int(Int64(bitPattern: $0)) })), ("jobs", .int(Int64(jobs))),
                ("completed", .int(Int64(finals.count))), ("failed", .int(Int64(outcomes.count - finals.count))),
                ("skipped", .int(Int64(skipped))),
                ("eval_mean", aggregate.map { .double($0.mean) } ?? .null), ("eval_std", aggregate.map { .double($0.std) } ?? .null),
                ("eval_iqm", aggregate.map { .double($0.iqm) } ?? .null),
                ("wall_s", .double((wall * 1000).rounded() / 1000)), ("runs", .array(runs)),
            ]).rendered)
            return
        }
        for outcome in outcomes {
            if let mean = outcome.evalMean {
                let steps = (outcome.summary?["steps"] as? NSNumber)?.intValue ?? 0
                print("seed \(outcome.seed) (\(outcome.run)): \(steps) steps, greedy return " + String(format: "%.2f", mean))
            } else {
                print("seed \(outcome.seed) (\(outcome.run)): no result (exit status \(outcome.status))")
            }
        }
        if skipped > 0 { print("\(skipped) seed(s) not started: the runs were stopped") }
        if let aggregate {
            print("\(algo) \(env) over \(aggregate.count) seed(s): final greedy return "
                + String(format: "%.2f ± %.2f (IQM %.2f); %.1f s", aggregate.mean, aggregate.std, aggregate.iqm, wall))
        }
    }
}

/// The signals the seeds' runner received: the first, and those not passed on yet.
private final class SignalNote: @unchecked Sendable {
    private let lock = NSLock()
    private var first: Int32?
    private var pending: [Int32] = []

    /// Notes a signal; past a few unforwarded ones the rest add nothing (a child exits at its second).
    func note(_ number: Int32) {
        lock.withLock {
            if first == nil { first = number }
            if pending.count < 4 { pending.append(number) }
        }
    }
    /// The first signal received, nil before any.
    var signal: Int32? { lock.withLock { first } }
    /// The signals not yet passed on, in order, once.
    func take() -> [Int32] { lock.withLock { defer { pending = [] }; return pending } }
}

/// The seeds' runner's signal handler, kept for the life of the process.
nonisolated(unsafe) private var multiSeedSignals: ShutdownSignals?
