import Foundation
import GymCore
import Logging

/// The skeleton every distributed learner runs (A3C's and Ape-X's): count the workers' steps
/// and episodes as their reports arrive, give up when every worker process is gone, note
/// progress every ten seconds, and at the end tell the workers to stop and linger while those
/// started elsewhere learn of it.
///
/// ```
/// let loop = DistributedLearnerLoop(session: session, logger: logger)
/// // on the service's thread:  index = loop.admit();  try loop.check(…);  loop.receive(report)
/// let outcome = try loop.run(totalSteps: n, channel: channel, fleet: fleet, onReport: …, work: …, progress: …)
/// ```
final class DistributedLearnerLoop {
    /// What one worker call brought.
    struct Report {
        /// The worker's index.
        var worker: Int
        /// How many versions behind the learner the worker's weights were, where the learner tracks it.
        var staleness: UInt64?
        /// Steps and finished episodes since the worker's previous call.
        var stats: EpisodeStats
    }

    /// How a run ended.
    struct Outcome {
        /// Environment steps, all workers together.
        var steps: Int
        /// Wall-clock seconds from the start of the loop to the workers' stop.
        var seconds: Double
        /// Whether a callback stopped the run (the task was solved).
        var solved: Bool
        /// Workers that joined, the learner's own and remote ones (`gym worker`) together.
        var joined = 0
        /// Of those, the ones that were not the learner's own child processes.
        var remote = 0

        /// Environment steps per second.
        var stepsPerSecond: Double { Double(steps) / seconds }
    }

    private let session: TrainingSession
    private let logger: Logger
    private let lock = NSLock()
    private let roster: WorkerRoster
    private var inbox: [Report] = []

    /// A loop reporting to `session`'s monitor and `logger`, whose workers claim at most
    /// `stepsPerCall` environment steps a call (see `WorkerRoster`).
    init(session: TrainingSession, logger: Logger, stepsPerCall: Int) {
        self.session = session
        self.logger = logger
        roster = WorkerRoster(stepsPerCall: stepsPerCall)
    }

    /// A joining worker's index (any thread); `name` is the one it gave.
    func admit(name: String) -> Int { roster.admit(name: name) }

    /// Throws INVALID_ARGUMENT for a call no worker of this run could have made (any thread);
    /// a learner checks before a call changes anything.
    func check(worker: Int, stats: EpisodeStats) throws { try roster.check(worker: worker, stats: stats) }

    /// Queues a worker's report for the training loop (any thread).
    func receive(_ report: Report) { lock.withLock { inbox.append(report) } }

    private func drain() -> [Report] {
        lock.withLock {
            defer { inbox.removeAll(keepingCapacity: true) }
            return inbox
        }
    }

    /// Logs "waiting for workers" every ten seconds in which no report arrived, when the workers
    /// are started elsewhere (`--no-spawn`): they may join late or vanish with their machine, and
    /// a learner that waits for them must say so instead of looking hung. Returns the time of the
    /// last note.
    private func noteWaiting(since lastHeard: UInt64, lastNote: UInt64, endpoint: String, fleet: WorkerFleet?) -> UInt64 {
        let now = DispatchTime.now().uptimeNanoseconds
        let quiet = now - max(lastHeard, lastNote)
        guard fleet == nil, quiet > 10_000_000_000 else { return lastNote }
        let joined = roster.joinedNames.count
        let text = "waiting for workers: no report for \(Int(Double(now - lastHeard) / 1e9)) s; \(joined) joined so far "
            + "(start more with `gym worker --learner \(endpoint)`)"
        session.monitor.note(text)
        logger.info("\(text)")
        return now
    }

    /// Runs until `totalSteps` environment steps or until a callback says the task is solved.
    ///
    /// - `onEpisode(report, steps)` sees each finished episode after the monitor has it; true stops the run.
    /// - `onReport(report, steps)` runs after a report's episodes; true stops the run.
    /// - `work(steps)` is the learner's own step each round (Ape-X learns on a batch; A3C
    ///   learns in `apply`); false means it did nothing this round and skips the progress note.
    /// - `progress(steps, stepsPerSecond, running)` is the ten-second note, nil for none.
    /// - `idle` seconds are slept when a round brought no report.
    func run(totalSteps: Int, channel: any ParameterChannel, fleet: WorkerFleet?, idle: Double = 0,
             onEpisode: (Report, Int) throws -> Bool = { _, _ in false },
             onReport: (Report, Int) throws -> Bool = { _, _ in false },
             work: (Int) throws -> Bool = { _ in true },
             progress: (Int, Double, Int) -> String?) throws -> Outcome {
        let monitor = session.monitor
        var steps = 0
        var solved = false
        let started = DispatchTime.now().uptimeNanoseconds
        var lastNote = started
        var lastHeard = started
        var lastWait = started
        training: while steps < totalSteps {
            let reports = drain()
            if reports.isEmpty {
                try fleet?.ensureAlive(lastHeard: lastHeard)
                lastWait = noteWaiting(since: lastHeard, lastNote: lastWait, endpoint: channel.endpoint, fleet: fleet)
                if idle > 0 { Thread.sleep(forTimeInterval: idle) }
            } else {
                lastHeard = DispatchTime.now().uptimeNanoseconds
            }
            for report in reports {
                steps += report.stats.envSteps
                for (episodeReturn, length) in report.stats.episodes {
                    monitor.episode(FinishedEpisode(environment: report.worker, episodeReturn: episodeReturn, length: length), step: steps)
                    if try onEpisode(report, steps) {
                        solved = true
                        break training
                    }
                }
                if try onReport(report, steps) {
                    solved = true
                    break training
                }
            }
            monitor.tick(step: steps)
            // A signal stops the learner here; the workers learn of it from `channel.finish()`.
            if try session.boundary(step: steps) { break training }
            guard try work(steps) else { continue }
            let now = DispatchTime.now().uptimeNanoseconds
            if now - lastNote > 10_000_000_000, let text = progress(steps, Double(steps) / (Double(now - started) / 1e9), fleet?.running ?? -1) {
                lastNote = now
                monitor.note(text)
                logger.info("\(text)")
            }
        }
        channel.finish()
        // Workers started elsewhere learn of the end on their next call: keep answering a moment.
        if fleet == nil { Thread.sleep(forTimeInterval: 3) }
        // The learner's own workers join as this host:their pid; any other name came from elsewhere.
        let host = ProcessInfo.processInfo.hostName
        let own = Set((fleet?.pids ?? []).map { "\(host):\($0)" })
        let (joined, names) = roster.joinedNames
        let remote = names.filter { !own.contains($0) }.count + (joined - names.count)
        return Outcome(steps: steps, seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9, solved: solved,
                       joined: joined, remote: remote)
    }
}
