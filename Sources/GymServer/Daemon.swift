import Foundation
import GymCore
import GymProtocol
import Logging
import ServiceRuntime
import ZeroMQ

/// The environment daemon: a ROUTER socket served by one socket thread, with environments
/// sharded by handle over worker threads.
///
/// The socket thread decodes requests, checks handles and quotas, and forwards replies; it never
/// steps an environment. Runs embedded (`start()`, e.g. over `inproc://`) or as `gym serve` (`run()`).
public final class Daemon: GymService, @unchecked Sendable {
    /// The settings it was made with.
    public let configuration: DaemonConfiguration
    /// The endpoint it listens on, with a wildcard port resolved; set once bound.
    public private(set) var endpoint: String
    private let context: Context
    private var logger: Logger
    private let completions: CompletionQueue
    private let workers: [WorkerThread]
    private let router: RequestRouter
    private let state = ServiceRunState()
    /// How long the socket thread watches for a dispatched job's completion before sleeping in poll.
    private let spinMicroseconds: Double
    /// The event stream, when configured.
    public let events: EventStream?

    /// A daemon that has not bound yet.
    public init(configuration: DaemonConfiguration, context: Context = .shared, logger: Logger = Logger(label: "gym.daemon")) throws {
        self.configuration = configuration
        self.endpoint = configuration.bind
        self.context = context
        self.logger = logger
        self.completions = try CompletionQueue()
        self.router = RequestRouter(configuration: configuration, logger: logger)
        self.spinMicroseconds = configuration.spinMicroseconds
        let completions = self.completions
        let events = try configuration.events.map {
            try EventStream(endpoint: $0, policy: configuration.eventPolicy, queueBytes: configuration.eventQueueBytes,
                            highWaterMark: configuration.eventHighWaterMark, stallSeconds: configuration.eventStallSeconds, daemonName: configuration.name,
                            context: context, logger: logger)
        }
        self.events = events
        self.workers = (0..<configuration.workers).map {
            WorkerThread(index: $0, worker: EnvWorker(registry: configuration.registry, events: events), completions: completions,
                         spinMicroseconds: configuration.workerSpinMicroseconds)
        }
    }

    /// Binds and serves on a thread of its own; returns once clients can connect.
    public func start() throws {
        let socket = try bind()
        let thread = Thread { [self] in serve(socket) }
        thread.name = "gym-daemon-socket"
        thread.start()
    }

    /// Binds and serves on the calling thread until `stop()`.
    public func run() throws {
        let socket = try bind()
        serve(socket)
    }

    /// Asks for a graceful stop: queued jobs finish and their replies go out, then the socket closes.
    /// Safe to call from any thread, more than once.
    public func requestStop() {
        state.requestStop()
        completions.poke()
    }

    /// Blocks until a started daemon has stopped.
    public func waitForExit() { state.waitForExit() }

    /// `requestStop()`, under the name callers used before `GymService`.
    public func stop() { requestStop() }

    /// `waitForExit()`, under the name callers used before `GymService`.
    public func wait() { waitForExit() }

    private func bind() throws -> Socket {
        try state.start(alreadyRunning: GymDaemonError.alreadyRunning) {
            let socket = try Socket(context, .router)
            try socket.setMaxMessageSize(configuration.maxMessageBytes)
            try socket.setSendHighWaterMark(0)
            try socket.setReceiveHighWaterMark(0)
            try socket.bind(configuration.bind)
            endpoint = (try? socket.lastEndpoint) ?? configuration.bind
            for worker in workers { worker.start() }
            events?.start()
            let names = configuration.registry.all.map(\.id).joined(separator: ", ")
            logger.info("listening on \(endpoint) with \(configuration.workers) worker(s); environments: \(names)")
            return socket
        }
    }

    private func serve(_ socket: Socket) {
        defer { state.markExited() }
        var poller = Poller()
        poller.add(socket)
        poller.add(fileDescriptor: completions.wakeDescriptor)
        var finished: [Completion] = []
        let sweepEvery = max(0.05, min(1.0, configuration.idleTimeout / 4))
        var nextSweep = Self.now() + sweepEvery
        while !state.isStopping {
            let ready: [Bool]
            do {
                ready = try poller.poll(timeoutMilliseconds: Int(sweepEvery * 1000))
            } catch {
                logger.error("poll failed, stopping: \(error)")
                break
            }
            if ready[1] { forward(&finished, through: socket) }
            if ready[0] {
                let dispatched = receiveAll(from: socket)
                if dispatched > 0 { awaitCompletions(&finished, through: socket) }
            }
            let now = Self.now()
            if now >= nextSweep {
                reclaimIdle(now: now)
                nextSweep = now + sweepEvery
            }
        }
        logger.info("stopping: finishing queued work")
        events?.beginStopping()
        for worker in workers { worker.stopAndWait() }
        forward(&finished, through: socket)
        socket.close()
        events?.stopAndWait()
        router.logStopped()
    }

    /// Spins for up to `spinMicroseconds` while dispatched jobs run, forwarding their replies as
    /// they land. A step takes microseconds; catching its completion here saves the pipe wake-up
    /// that would otherwise sit on every request's latency. New requests end the spin.
    private func awaitCompletions(_ finished: inout [Completion], through socket: Socket) {
        guard spinMicroseconds > 0, completions.startWatching() else { return }
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(spinMicroseconds * 1000)
        while DispatchTime.now().uptimeNanoseconds < deadline {
            if !completions.isEmpty {
                forward(&finished, through: socket)
                break
            }
            if socket.hasIncoming { break }
        }
        if completions.stopWatching() { forward(&finished, through: socket) }
    }

    @discardableResult
    private func receiveAll(from socket: Socket) -> Int {
        var dispatched = 0
        // Bounded, so completions keep flowing under a flood of requests.
        for _ in 0..<512 {
            let frames: [[UInt8]]
            do {
                frames = try socket.receiveMessage(dontWait: true)
            } catch let error as ZMQError where error.code == .timedOut {
                return dispatched
            } catch {
                logger.error("receive failed: \(error)")
                return dispatched
            }
            switch router.receive(frames, now: Self.now()) {
            case nil:
                continue
            case .reply(let address, let response):
                send(address.frames((try? response.serializedBytes()) ?? []), through: socket)
            case .dispatch(let worker, let job):
                workers[worker].queue.push(job)
                dispatched += 1
            }
        }
        return dispatched
    }

    private func forward(_ finished: inout [Completion], through socket: Socket) {
        completions.drain(into: &finished)
        for completion in finished {
            if let frames = router.settle(completion) { send(frames, through: socket) }
        }
        finished.removeAll(keepingCapacity: true)
    }

    private func send(_ frames: [[UInt8]], through socket: Socket) {
        do {
            try socket.send(frames: frames, dontWait: true)
        } catch {
            // The client is gone or not reading: the reply is dropped, the daemon goes on.
            logger.debug("reply to \(ClientID(frames[0])) dropped: \(error)")
        }
    }

    private func reclaimIdle(now: Double) {
        for (client, jobs) in router.reclaimIdle(now: now) {
            logger.notice("client \(client) idle for over \(configuration.idleTimeout) s: closing its \(jobs.count) handle(s)")
            router.counters.reclaimedHandles += jobs.count
            for (worker, job) in jobs { workers[worker].queue.push(job) }
        }
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
