import Foundation
import GymCore
import GymProtocol
import Logging
import ServiceRuntime
import ZeroMQ

/// `gym record`: subscribes to a daemon's event stream and stores whole episodes in SQLite.
///
/// One thread owns the SUB socket and the database. A transaction commits when no event has
/// arrived for `idleCommitSeconds`, when it is half `commitInterval` old, and when the oldest
/// episode in it ended (by the daemon's clock) half `commitInterval` ago, so an episode that
/// ended more than `commitInterval` before a crash is committed even while events arrive late.
/// A clean stop checkpoints the WAL into the file.
public final class Recorder: GymService, @unchecked Sendable {
    /// Settings of one recorder.
    public struct Configuration: Sendable {
        /// The daemon's event stream endpoint.
        public var events: String
        /// The recording file.
        public var path: String
        /// An episode that ended this long ago is committed (the most a SIGKILL can lose).
        public var commitInterval: Double = 0.5
        /// Most bytes the running episodes may hold in memory; past it the largest is dropped and counted.
        public var maxBufferedBytes: Int = 512 << 20
        /// A quiet stream for this long commits at once.
        public var idleCommitSeconds: Double = 0.005
        /// Keys of the subscription; nil: `CurveSettings.process`.
        public var security: CurveSettings?

        /// Settings with the documented defaults.
        public init(events: String, path: String) {
            self.events = events
            self.path = path
        }
    }

    /// What a recorder run did.
    public struct Statistics: Sendable {
        public var assembler = EpisodeAssembler.Counters()
        public var commits = 0
        /// Events that could not be decoded.
        public var malformedEvents: UInt64 = 0
        /// Most seconds an event took from the daemon to the recorder (by the two clocks).
        public var maxLagSeconds = 0.0
        /// Seconds from the first event to the stop.
        public var seconds = 0.0
        /// Stored transitions per second over `seconds`.
        public var stepsPerSecond: Double { seconds > 0 ? Double(assembler.steps) / seconds : 0 }
    }

    /// The settings.
    public let configuration: Configuration
    private let store: EpisodeStore
    private let assembler: EpisodeAssembler
    private let context: Context
    private let logger: Logger
    private let state = ServiceRunState()
    private var attachedSignal = DispatchSemaphore(value: 0)
    private var malformed: UInt64 = 0
    private var firstEvent: Double?
    /// Most seconds between an event's production (the daemon's clock) and its arrival here.
    private var maxLag = 0.0

    /// Opens (or creates) the recording; `run()` connects and records.
    public init(configuration: Configuration, context: Context = .shared, logger: Logger = Logger(label: "gym.record")) throws {
        self.configuration = configuration
        self.context = context
        self.logger = logger
        store = try EpisodeStore(path: configuration.path, source: configuration.events)
        let next = try store.nextIDs()
        assembler = EpisodeAssembler(sink: store, firstEpisodeID: next.episode, firstBatchID: next.batch,
                                     maxBufferedBytes: configuration.maxBufferedBytes)
    }

    /// How the last recording thread started by `start()` ended; set before `waitForExit()` returns.
    public private(set) var outcome: Result<Statistics, any Error>?

    /// Asks the recording loop to store running episodes, commit and return. Safe from any
    /// thread, more than once.
    public func requestStop() { state.requestStop() }

    /// `requestStop()`, under the name callers used before `GymService`.
    public func stop() { requestStop() }

    /// Blocks until a started recorder has stored its episodes and stopped.
    public func waitForExit() { state.waitForExit() }

    /// Waits until the daemon has acknowledged this recorder's subscription (its first
    /// `StreamAttached` notice); false on timeout.
    public func waitUntilAttached(timeout: Double) -> Bool {
        attachedSignal.wait(timeout: .now() + timeout) == .success
    }

    /// Connects and records on a thread of its own until `requestStop()`; `outcome` then holds
    /// the run's statistics or the error that ended it.
    public func start() throws {
        let socket = try connect()
        let thread = Thread { [self] in
            let result = Result { try record(socket) }
            outcome = result
            state.markExited()
        }
        thread.name = "gym-record"
        thread.start()
    }

    /// Connects and records on the calling thread until `requestStop()`; returns the run's statistics.
    public func run() throws -> Statistics {
        let socket = try connect()
        defer { state.markExited() }
        return try record(socket)
    }

    private func connect() throws -> Socket {
        try state.start(alreadyRunning: GymError(.invalidArgument, "the recorder is already running")) {
            let socket = try Socket(context, .sub)
            // Small queues: under the block policy whatever they hold is lag before a commit.
            try socket.setReceiveHighWaterMark(1000)
            try socket.setReceiveBuffer(bytes: 256 << 10)
            try socket.subscribe()
            try socket.secureClient(connecting: configuration.events, settings: configuration.security ?? .process)
            try socket.connect(configuration.events)
            logger.info("recording \(configuration.events) into \(configuration.path)")
            return socket
        }
    }

    private func record(_ socket: Socket) throws -> Statistics {
        var poller = Poller()
        poller.add(socket)
        var attachments: UInt64 = 0
        var lastReport = Self.now()
        var reportedSteps: UInt64 = 0
        while !state.isStopping {
            let open = store.transactionAge(now: Self.now()) != nil
            let wait = open ? max(1, Int(configuration.idleCommitSeconds * 1000)) : 100
            let ready = (try? poller.poll(timeoutMilliseconds: wait))?.first ?? false
            if !ready {
                try store.commit()
                continue
            }
            try drain(socket)
            if let time = assembler.lastEventTime, Date().timeIntervalSince1970 - time > maxLag {
                maxLag = Date().timeIntervalSince1970 - time
                logger.debug("lag reached \(String(format: "%.3f", maxLag)) s")
            }
            if isCommitDue() { try store.commit() }
            let counters = assembler.counters
            if counters.attachments > attachments {
                if attachments == 0 { logger.notice("attached to the daemon's event stream at \(configuration.events)") }
                attachments = counters.attachments
                attachedSignal.signal()
            }
            let now = Self.now()
            if now - lastReport >= 5 {
                let rate = Double(counters.steps - reportedSteps) / (now - lastReport)
                logger.info("\(counters.episodes) episode(s), \(counters.steps) step(s) stored (\(Int(rate)) steps/s), \(counters.lostEvents) event(s) lost, lag \(String(format: "%.3f", maxLag)) s at most")
                lastReport = now
                reportedSteps = counters.steps
            }
        }
        // Events already on their way are still stored: read until the stream is quiet for 200 ms.
        let quietDeadline = Self.now() + 10
        while Self.now() < quietDeadline, (try? poller.poll(timeoutMilliseconds: 200))?.first == true {
            try drain(socket)
        }
        socket.close()
        let running = assembler.runningEpisodes
        try assembler.finishRunning()
        try store.commit()
        let statistics = self.statistics
        try store.setFact("stats", RecorderReport.json(statistics, path: configuration.path))
        // Everything into the main file: a copy of the .sqlite alone is then the whole recording.
        try store.checkpoint()
        logger.notice("stopped: \(statistics.assembler.episodes) episode(s) (\(running) still running, stored as recorder_stopped), \(statistics.assembler.steps) step(s), \(statistics.assembler.lostEvents) event(s) lost")
        return statistics
    }

    /// Whether the open transaction must commit now (see the type's comment).
    private func isCommitDue() -> Bool {
        let half = configuration.commitInterval / 2
        if let age = store.transactionAge(now: Self.now()), age >= half { return true }
        if let ended = store.oldestPendingEnd, Date().timeIntervalSince1970 - ended >= half { return true }
        return false
    }

    /// Consumes what has arrived, up to a bound so commits keep their schedule.
    private func drain(_ socket: Socket) throws {
        for _ in 0..<1024 {
            let received: Bool
            do {
                (received, _) = try socket.receiveFrame(dontWait: true) { bytes -> Bool in
                    do {
                        try assembler.consume(bytes)
                    } catch let error as SQLiteError {
                        throw error
                    } catch {
                        malformed += 1
                        logger.warning("skipped an event that could not be decoded (\(bytes.count) bytes): \(error)")
                    }
                    return true
                }
            } catch let error as ZMQError where error.code == .timedOut {
                return
            }
            if received, firstEvent == nil { firstEvent = Self.now() }
        }
    }

    /// Counts so far (call from the recording thread or after `run()` returned).
    public var statistics: Statistics {
        var statistics = Statistics()
        statistics.assembler = assembler.counters
        statistics.commits = store.commits
        statistics.malformedEvents = malformed
        statistics.maxLagSeconds = maxLag
        statistics.seconds = firstEvent.map { Self.now() - $0 } ?? 0
        return statistics
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
