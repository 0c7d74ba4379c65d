import Foundation
import GymCore
import GymProtocol
import Logging
import ServiceRuntime
import ZeroMQ

/// What a distributed learner does with its workers' calls; the server calls these on its
/// socket thread, one at a time.
public protocol ParameterLearner: AnyObject {
    /// A worker asks for its job: its index and the run's settings.
    func join(name: String) throws -> (index: UInt32, settings: ValueMap)
    /// An A3C worker's gradients (safetensors bytes) from weights `version`; returns the new
    /// weights to publish, or nil to keep the current ones.
    func apply(gradients: [UInt8], from version: UInt64, worker: UInt32, stats: Gym_V1_EpisodeStats) throws -> [UInt8]?
    /// A worker's progress from weights `version`; throws for a report it finds implausible.
    func report(worker: UInt32, version: UInt64, stats: Gym_V1_EpisodeStats) throws
}

/// The parameter service of a distributed learner on a ROUTER socket: versioned weights that
/// workers fetch (or wait for), gradients they push, reports, and joins.
///
/// One thread owns the socket. `publish` and `finish` may be called from any thread.
///
/// Only the learner publishes weights (through `publish`, in its own process): a `Publish`
/// request from a peer is refused with NOT_OWNER. Pushed gradients are checked against the
/// signature of the learner's first weights (`ParameterSignature`) before the learner sees
/// them; a rejected call is answered with its typed error, logged, and changes nothing.
public final class ParameterServer: GymService, @unchecked Sendable {
    /// The endpoint it listens on, with a wildcard port resolved; set once bound.
    public private(set) var endpoint: String
    private let bindAddress: String
    private weak var learner: (any ParameterLearner)?
    private let context: Context
    private let logger: Logger
    private let lock = NSLock()
    private var weights: [UInt8] = []
    private var version: UInt64 = 0
    private var finished = false
    private var signature: ParameterSignature?
    private let state = ServiceRunState()
    private var waiting: [(address: [[UInt8]], id: UInt64, newerThan: UInt64, deadline: UInt64)] = []
    /// What the socket thread saw, for its closing log line.
    private var requestsReceived = 0
    private var repliesSent = 0
    private var repliesDropped = 0
    /// Replies the socket could not queue yet (libzmq's count of a peer's unread replies lags
    /// behind its reads, so a burst can find the queue full though the worker reads): sent again
    /// on the next turns of the loop, in order, for up to `backlogPatience` nanoseconds.
    private var backlog: [(frames: [[UInt8]], id: UInt64, since: UInt64)] = []
    private var backlogBytes = 0
    /// Most replies, and bytes, waiting to be sent again; beyond either, a reply is dropped.
    static let maxBacklogReplies = 256
    static let maxBacklogBytes = 64 << 20
    static let backlogPatience: UInt64 = 10_000_000_000
    /// What a worker's call may claim or hold; set before `start`.
    public var limits = ParameterLimits()
    /// Keys of the socket; nil: `CurveSettings.process` when binding. Set before `start`.
    public var security: CurveSettings?
    /// Replies libzmq queues for one worker that does not read them (more are dropped): as many
    /// as the requests it buffers from that worker, so a client with up to that many calls in
    /// flight gets every answer. Weights replies are the learner's network each, so a peer that
    /// never reads holds at most this many copies.
    static let queuedRepliesPerWorker = 64
    /// Requests libzmq buffers per worker before it stops reading that worker's connection.
    static let queuedRequestsPerWorker = 64

    /// A server that has not bound yet; `learner` answers joins, gradients and reports.
    public init(bind: String, learner: any ParameterLearner, context: Context = .shared, logger: Logger = Logger(label: "gym.parameters")) {
        self.bindAddress = bind
        self.endpoint = bind
        self.learner = learner
        self.context = context
        self.logger = logger
    }

    /// The newest weights' version.
    public var currentVersion: UInt64 { lock.withLock { version } }

    /// Publishes new weights (safetensors bytes); returns their version.
    @discardableResult
    public func publish(_ safetensors: [UInt8]) -> UInt64 {
        lock.withLock {
            if signature == nil { signature = try? ParameterSignature(weights: safetensors) }
            weights = safetensors
            version += 1
            return version
        }
    }

    /// Tells every worker to stop: replies from now on carry `stop`.
    public func finish() { lock.withLock { finished = true } }

    /// Binds and serves on a thread of its own; returns once clients can connect.
    public func start() throws {
        let socket = try state.start(alreadyRunning: GymError(.invalidArgument, "the parameter service is already running")) {
            let socket = try Socket(context, .router)
            // Weights replies are megabytes each: a worker that stops reading gets a few queued,
            // the rest are dropped (it times out and asks again); a larger request than any
            // weights or gradients (plus the envelope) makes libzmq drop its sender.
            try socket.setSendHighWaterMark(Self.queuedRepliesPerWorker)
            try socket.setReceiveHighWaterMark(Self.queuedRequestsPerWorker)
            try socket.setMaxMessageSize(limits.maxWeightsBytes &+ (1 << 20))
            // A reply the socket cannot queue fails the send instead of vanishing, so it is
            // counted; without this, libzmq dropped a few replies in 20,000 under bursts.
            try socket.setRouterMandatory(true)
            try socket.secureServer(binding: bindAddress, settings: security ?? .process)
            do {
                try socket.bind(bindAddress)
            } catch {
                throw GymError(.invalidArgument, "cannot bind the parameter service to \(bindAddress): \(error)")
            }
            socket.registerServerKey(settings: security ?? .process)
            endpoint = (try? socket.lastEndpoint) ?? bindAddress
            return socket
        }
        logger.info("parameter service on \(endpoint)")
        let thread = Thread { [self] in serve(socket) }
        thread.name = "gym-parameters-socket"
        thread.start()
    }

    /// Asks the socket thread to stop serving (workers then time out, or have already been told
    /// to stop by `finish()`). Safe from any thread, more than once.
    public func requestStop() { state.requestStop() }

    /// Blocks until a started server has stopped.
    public func waitForExit() { state.waitForExit() }

    private static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    private func serve(_ socket: Socket) {
        defer {
            logger.notice("parameter service stopped after \(requestsReceived) request(s): \(repliesSent) replied, \(repliesDropped) repl(ies) dropped, \(backlog.count) unsent, \(waiting.count) fetch(es) still waiting")
            socket.close()
            state.markExited()
        }
        var poller = Poller()
        poller.add(socket)
        var lastVersion = currentVersion
        while !state.isStopping {
            if !backlog.isEmpty { flushBacklog(through: socket) }
            guard let ready = try? poller.poll(timeoutMilliseconds: backlog.isEmpty ? 10 : 1) else { continue }
            if ready[0] {
                for _ in 0..<256 {
                    guard let frames = try? socket.receiveMessage(dontWait: true) else { break }
                    requestsReceived += 1
                    handle(frames, through: socket)
                }
            }
            // Answer waiting fetches when new weights arrive or their time is up.
            let (current, stop) = lock.withLock { (version, finished) }
            let now = Self.now()
            if !waiting.isEmpty, current != lastVersion || stop || waiting.contains(where: { $0.deadline <= now }) {
                waiting.removeAll { call in
                    guard current > call.newerThan || stop || call.deadline <= now else { return false }
                    send(call.address, weightsReply(id: call.id, newerThan: call.newerThan), through: socket)
                    return true
                }
            }
            lastVersion = current
        }
    }

    private func weightsReply(id: UInt64, newerThan: UInt64) -> Gym_V1_ParametersResponse {
        lock.withLock {
            var response = Gym_V1_ParametersResponse()
            response.id = id
            response.weights = .with {
                $0.version = version
                if version > newerThan { $0.safetensors = Data(weights) }
                $0.stop = finished
            }
            return response
        }
    }

    private func handle(_ frames: [[UInt8]], through socket: Socket) {
        handle(frames) { address, response in send(address, response, through: socket) }
    }

    /// Handles one request's frames (the peer's address, then the payload) without a socket:
    /// `reply` gets the answer, unless the call is a fetch parked until newer weights (the serve
    /// loop answers those). Tests and the fuzz harness call it directly.
    package func handle(_ frames: [[UInt8]], reply: ([[UInt8]], Gym_V1_ParametersResponse) -> Void) {
        guard frames.count >= 2, let payload = frames.last else { return }
        let address = Array(frames.dropLast())
        guard let request = try? Gym_V1_ParametersRequest(serializedBytes: payload) else {
            reply(address, .failure(id: Gym_V1_Request.salvageID(from: payload) ?? 0, GymError(.malformed, "not a ParametersRequest")))
            return
        }
        do {
            var response = Gym_V1_ParametersResponse()
            response.id = request.id
            switch request.body {
            case .hello(let hello):
                guard hello.protocolVersion == gymProtocolVersion else {
                    throw GymError(.unsupportedVersion, "this parameter service speaks protocol version \(gymProtocolVersion), not \(hello.protocolVersion)")
                }
                response.hello = .with { $0.protocolVersion = gymProtocolVersion; $0.serverName = "gym-parameters" }
            case .join(let join):
                guard let learner else { throw GymError(.shuttingDown, "the learner has finished") }
                let (index, settings) = try learner.join(name: join.name)
                response.join = .with { $0.workerIndex = index; $0.settings = settings.wire }
                logger.notice("worker \(index) joined (\(join.name.clippedForEcho()))")
            case .fetch(let fetch):
                let current = currentVersion
                if current <= fetch.newerThan, fetch.timeoutMs > 0, !lock.withLock({ finished }) {
                    guard waiting.count < limits.maxParkedFetches else {
                        throw GymError(.quotaExceeded, "\(waiting.count) fetches already wait for new weights, the limit")
                    }
                    let wait = UInt64(min(fetch.timeoutMs, limits.maxFetchWaitMilliseconds))
                    waiting.append((address, request.id, fetch.newerThan, Self.now() + wait * 1_000_000))
                    return
                }
                response = weightsReply(id: request.id, newerThan: fetch.newerThan)
            case .pushGradients(let push):
                guard let learner else { throw GymError(.shuttingDown, "the learner has finished") }
                try limits.check(push.stats)
                try limits.check(weights: push.safetensors.count, what: "gradients")
                let gradients = [UInt8](push.safetensors)
                guard let signature = lock.withLock({ signature }) else {
                    throw GymError(.invalidArgument, "the learner has published no weights to check gradients against yet")
                }
                try signature.check(gradients: gradients)
                if !lock.withLock({ finished }),
                   let updated = try learner.apply(gradients: gradients, from: push.version, worker: push.workerIndex, stats: push.stats) {
                    publish(updated)
                }
                response = weightsReply(id: request.id, newerThan: push.version)
            case .report(let report):
                try limits.check(report.stats)
                try learner?.report(worker: report.workerIndex, version: report.version, stats: report.stats)
                let (current, stop) = lock.withLock { (version, finished) }
                response.report = .with { $0.version = current; $0.stop = stop }
            case .publish:
                throw GymError(.notOwner, "only the learner publishes weights on this service")
            case nil:
                throw GymError(.unknownMessage, "request \(request.id) has no body this service knows")
            }
            reply(address, response)
        } catch let error as GymError {
            logger.warning("request \(request.id) rejected: \(error.code): \(error.message)")
            reply(address, .failure(id: request.id, error))
        } catch {
            reply(address, .failure(id: request.id, GymError(.internalError, "\(error)")))
        }
    }

    private func send(_ address: [[UInt8]], _ response: Gym_V1_ParametersResponse, through socket: Socket) {
        guard let bytes: [UInt8] = try? response.serializedBytes() else {
            drop(response.id, because: "it could not be encoded")
            return
        }
        let frames = address + [bytes]
        // Behind replies already waiting, a new one waits too: a worker gets its replies in order.
        if backlog.isEmpty, trySend(frames, id: response.id, through: socket) { return }
        guard backlog.count < Self.maxBacklogReplies, backlogBytes + bytes.count <= Self.maxBacklogBytes else {
            drop(response.id, because: "\(backlog.count) replies (\(backlogBytes) bytes) already wait for their workers to read")
            return
        }
        backlog.append((frames, response.id, Self.now()))
        backlogBytes += bytes.count
    }

    /// Sends what it can of the backlog, in order; stops at the first reply that still does not
    /// fit, and drops replies whose worker is gone or has not read for `backlogPatience`.
    private func flushBacklog(through socket: Socket) {
        let now = Self.now()
        var sent = 0
        for entry in backlog {
            if trySend(entry.frames, id: entry.id, through: socket) {
                sent += 1
            } else if now - entry.since >= Self.backlogPatience {
                drop(entry.id, because: "its worker read nothing for \(Self.backlogPatience / 1_000_000_000) s")
                sent += 1
            } else {
                break
            }
        }
        for entry in backlog.prefix(sent) { backlogBytes -= entry.frames.last?.count ?? 0 }
        backlog.removeFirst(sent)
    }

    /// True when the reply left, or was dropped because its worker is gone; false when the
    /// socket's queue for that worker is full.
    private func trySend(_ frames: [[UInt8]], id: UInt64, through socket: Socket) -> Bool {
        do {
            try socket.send(frames: frames, dontWait: true)
            repliesSent += 1
            return true
        } catch let error as ZMQError where error.code == .timedOut {
            return false
        } catch {
            drop(id, because: "\(error)")
            return true
        }
    }

    private func drop(_ id: UInt64, because reason: String) {
        repliesDropped += 1
        // Logged at the 1st, 2nd, 4th, 8th… drop, as the daemon and the buffer log theirs.
        if repliesDropped & (repliesDropped - 1) == 0 {
            logger.warning("reply \(id) dropped: \(reason); \(repliesDropped) dropped so far")
        }
    }
}
