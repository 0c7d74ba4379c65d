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
    var logger: Logger
    let completions: CompletionQueue
    /// Replaced one by one when the watchdog cuts a stuck thread off.
    var workers: [WorkerThread]
    let router: RequestRouter
    let state = ServiceRunState()
    private var watchdog: Watchdog
    private var disconnects: DisconnectMonitor?
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
        self.watchdog = Watchdog(limit: configuration.stepTimeout, logger: logger)
        let completions = self.completions
        let events = try configuration.events.map {
            try EventStream(endpoint: $0, policy: configuration.eventPolicy, queueBytes: configuration.eventQueueBytes,
                            highWaterMark: configuration.eventHighWaterMark, stallSeconds: configuration.eventStallSeconds,
                            daemonName: configuration.name, context: context, logger: logger, security: configuration.security ?? .process)
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
            try socket.setSendHighWaterMark(configuration.maxQueuedReplies)
            try socket.setReceiveHighWaterMark(configuration.receiveHighWaterMark)
            try socket.setRouterMandatory(true)
            if configuration.heartbeatSeconds > 0, configuration.heartbeatSeconds.isFinite {
                let interval = Int(min(configuration.heartbeatSeconds, 3600) * 1000)
                try socket.setHeartbeat(intervalMilliseconds: max(1, interval), timeoutMilliseconds: max(3, 3 * interval))
            }
            let security = configuration.security ?? .process
            try socket.secureServer(binding: configuration.bind, settings: security)
            try socket.bind(configuration.bind)
            socket.registerServerKey(settings: security)
            if !configuration.bind.hasPrefix("inproc://") {
                disconnects = try DisconnectMonitor(watching: socket, context: context)
            }
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
        if let disconnects { poller.add(disconnects.socket) }
        var finished: [Completion] = []
        let sweepEvery = max(0.01, min(1.0, configuration.idleTimeout / 4, configuration.stepTimeout / 4))
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
                let dispatched = receiveAll(from: socket, forwarding: &finished)
                if dispatched > 0 { awaitCompletions(&finished, through: socket) }
            }
            if ready.count > 2, ready[2], let disconnects { reclaim(disconnects.drain()) }
            let now = Self.now()
            if now >= nextSweep {
                reclaimIdle(now: now)
                for completion in watchdog.check(&workers, router: router) {
                    if let frames = router.settle(completion) { send(frames, through: socket) }
                }
                nextSweep = now + sweepEvery
            }
        }
        disconnects?.close(stopping: socket)
        finishServing(socket, finished: &finished)
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

    /// Reads and routes what the socket holds, up to a bound; replies of jobs that finish
    /// meanwhile go out between two requests, so a client whose step is done does not wait for
    /// another client's flood of requests to be read first.
    @discardableResult
    private func receiveAll(from socket: Socket, forwarding finished: inout [Completion]) -> Int {
        var dispatched = 0
        for _ in 0..<512 {
            if dispatched > 0, !completions.isEmpty { forward(&finished, through: socket) }
            let frames: [[UInt8]]
            let owner: [UInt8]?
            do {
                let (message, source) = try socket.receiveMessageWithSource(dontWait: true)
                frames = message
                owner = socket.lastFrameUserID
                // A connection's own identity (no CURVE) ends with it; a CURVE key's environments
                // wait out the idle timeout instead, so the same key can reconnect and resume them.
                if let disconnects, let identity = frames.first, !CurveIdentity.isKey(owner) {
                    let gone = disconnects.saw(ClientID(owner ?? identity), on: source)
                    if !gone.isEmpty { reclaim(gone) }
                }
            } catch let error as ZMQError where error.code == .timedOut {
                return dispatched
            } catch {
                logger.error("receive failed: \(error)")
                return dispatched
            }
            switch router.receive(frames, owner: owner, now: Self.now()) {
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

    func forward(_ finished: inout [Completion], through socket: Socket) {
        completions.drain(into: &finished)
        for completion in finished {
            if let frames = router.settle(completion) { send(frames, through: socket) }
        }
        finished.removeAll(keepingCapacity: true)
    }

    func send(_ frames: [[UInt8]], through socket: Socket) {
        do {
            try socket.send(frames: frames, dontWait: true)
        } catch {
            // The client is gone, or has --max-queued-replies unread: the reply is dropped, the daemon goes on.
            router.counters.droppedReplies += 1
            let dropped = router.counters.droppedReplies
            if dropped & (dropped - 1) == 0 {
                logger.warning("reply to \(ClientID(frames.first ?? [])) dropped (\(error)); \(dropped) dropped so far")
            }
        }
    }

    /// Closes the environments of clients whose connection closed.
    private func reclaim(_ gone: [ClientID]) {
        for client in gone {
            let jobs = router.forget(client)
            guard !jobs.isEmpty else {
                logger.info("client \(client) disconnected, holding no environments")
                continue
            }
            logger.notice("client \(client) disconnected: closing its \(jobs.count) handle(s)")
            router.counters.reclaimedHandles += jobs.count
            for (worker, job) in jobs { workers[worker].queue.push(job) }
        }
    }

    private func reclaimIdle(now: Double) {
        let connected = disconnects.map { monitor in { (client: ClientID) in monitor.isConnected(client) } }
        for (client, jobs) in router.reclaimIdle(now: now, keeping: connected ?? { _ in false }) {
            logger.notice("client \(client) idle for over \(configuration.idleTimeout) s: closing its \(jobs.count) handle(s)")
            router.counters.reclaimedHandles += jobs.count
            for (worker, job) in jobs { workers[worker].queue.push(job) }
        }
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
