import Foundation
import GymCore
import GymProtocol
import Logging
import ServiceRuntime
import ZeroMQ

/// The replay-buffer service on a ROUTER socket (`gym buffer`), served by one thread that owns
/// the socket and every table.
///
/// A call the rate limiter holds back is parked with its deadline, and the thread goes on
/// serving others; parked calls are retried whenever their table changes and answered with
/// `DEADLINE_EXCEEDED` when their time is up. Checkpoints are written every
/// `checkpointInterval` seconds and on a graceful stop.
public final class BufferServer: GymService, @unchecked Sendable {
    /// The endpoint it listens on, with a wildcard port resolved; set once bound.
    public private(set) var endpoint: String
    /// The tables and their calls.
    public let service: BufferService
    private let bindAddress: String
    private let checkpointInterval: Double?
    private let maxMessageBytes: Int
    /// Replies libzmq queues for one client that does not read them.
    static let queuedRepliesPerClient = 1024
    /// Requests libzmq buffers per client before it stops reading that client's connection.
    static let queuedRequestsPerClient = 64
    /// Replies dropped because their client was gone or had `queuedRepliesPerClient` unread.
    private var droppedReplies = 0
    private let context: Context
    private let logger: Logger
    private let state = ServiceRunState()
    private var parked: [Parked] = []
    private var requests = 0
    /// Keys of the socket; nil: `CurveSettings.process` when binding. Set before starting.
    public var security: CurveSettings?

    private struct Parked {
        var frames: [[UInt8]]
        var request: Gym_V1_BufferRequest
        var table: String
        var deadline: UInt64
    }

    /// A server for `service` that has not bound yet.
    public init(bind: String, service: BufferService, checkpointInterval: Double? = nil, maxMessageBytes: Int = 256 << 20,
                context: Context = .shared, logger: Logger = Logger(label: "gym.buffer")) {
        self.bindAddress = bind
        self.endpoint = bind
        self.service = service
        self.checkpointInterval = checkpointInterval
        self.maxMessageBytes = maxMessageBytes
        self.context = context
        self.logger = logger
    }

    /// Binds and serves on a thread of its own; returns once clients can connect.
    public func start() throws {
        let socket = try bind()
        let thread = Thread { [self] in serve(socket) }
        thread.name = "gym-buffer-socket"
        thread.start()
    }

    /// Binds and serves on the calling thread until `stop()`.
    public func run() throws {
        serve(try bind())
    }

    /// Asks for a graceful stop (parked calls get SHUTTING_DOWN, a checkpoint is written).
    /// Safe from any thread, more than once.
    public func requestStop() { state.requestStop() }

    /// Blocks until a started server has stopped.
    public func waitForExit() { state.waitForExit() }

    /// `requestStop()`, under the name callers used before `GymService`.
    public func stop() { requestStop() }

    /// `waitForExit()`, under the name callers used before `GymService`.
    public func wait() { waitForExit() }

    private func bind() throws -> Socket {
        try state.start(alreadyRunning: GymError(.invalidArgument, "the buffer server is already running")) {
            let socket = try Socket(context, .router)
            try socket.setMaxMessageSize(maxMessageBytes)
            // Bounded both ways: a client that sends without reading gets at most this many
            // replies queued (samples are up to megabytes each; the rest are dropped and counted)
            // and this many requests buffered before libzmq stops reading its connection.
            try socket.setSendHighWaterMark(Self.queuedRepliesPerClient)
            try socket.setReceiveHighWaterMark(Self.queuedRequestsPerClient)
            try socket.setRouterMandatory(true)
            try socket.secureServer(binding: bindAddress, settings: security ?? .process)
            do {
                try socket.bind(bindAddress)
            } catch {
                throw GymError(.invalidArgument, "cannot bind \(bindAddress): \(error)")
            }
            socket.registerServerKey(settings: security ?? .process)
            endpoint = (try? socket.lastEndpoint) ?? bindAddress
            logger.info("listening on \(endpoint); tables: \(service.tableNames.joined(separator: ", "))")
            return socket
        }
    }

    private static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    private func serve(_ socket: Socket) {
        defer { state.markExited() }
        var poller = Poller()
        poller.add(socket)
        var nextCheckpoint = checkpointInterval.map { Self.now() + UInt64($0 * 1e9) }
        while !state.isStopping {
            // Wake for the nearest parked deadline, and at least every 50 ms to notice a stop.
            var wait = UInt64(50_000_000)
            let now = Self.now()
            for call in parked { wait = min(wait, call.deadline > now ? call.deadline - now : 0) }
            let ready: [Bool]
            do {
                ready = try poller.poll(timeoutMilliseconds: Int((wait + 999_999) / 1_000_000))
            } catch let error as ZMQError where error.code == .interrupted {
                continue
            } catch {
                logger.error("poll failed, stopping: \(error)")
                break
            }
            if ready[0] { receiveAll(from: socket) }
            expire(through: socket)
            if let due = nextCheckpoint, Self.now() >= due, let interval = checkpointInterval {
                service.startCheckpoint()
                nextCheckpoint = Self.now() + UInt64(interval * 1e9)
            }
        }
        logger.info("stopping after \(requests) request(s), \(droppedReplies) repl(ies) dropped")
        for call in parked {
            let error = GymError(.shuttingDown, "the buffer service is stopping")
            send(call.frames, Gym_V1_BufferResponse.failure(id: call.request.id, error), through: socket)
        }
        parked.removeAll()
        if service.checkpoints != nil { writeCheckpoint() }
        socket.close()
    }

    private func writeCheckpoint() {
        do {
            try service.writeCheckpoint()
        } catch {
            logger.error("checkpoint failed: \(error)")
        }
    }

    private func receiveAll(from socket: Socket) {
        // Bounded, so deadlines and checkpoints keep their turn under a flood of requests.
        for _ in 0..<1024 {
            let frames: [[UInt8]]
            do {
                frames = try socket.receiveMessage(dontWait: true)
            } catch let error as ZMQError where error.code == .timedOut {
                return
            } catch {
                logger.error("receive failed: \(error)")
                return
            }
            requests += 1
            handle(frames, through: socket)
        }
    }

    private func handle(_ frames: [[UInt8]], through socket: Socket) {
        // [identity] ([] from a REQ socket) [request]
        guard frames.count >= 2, frames.count <= 3, let payload = frames.last, !payload.isEmpty,
              frames.count == 2 || frames[1].isEmpty else {
            let error = GymError(.malformed, "a request is one non-empty frame (after an empty delimiter from REQ sockets)")
            logger.warning("malformed request: \(error.message)")
            if let identity = frames.first { send([identity], .failure(id: 0, error), through: socket) }
            return
        }
        let address = Array(frames.dropLast())
        let request: Gym_V1_BufferRequest
        do {
            request = try Gym_V1_BufferRequest(serializedBytes: payload)
        } catch {
            let id = Gym_V1_Request.salvageID(from: payload) ?? 0
            send(address, .failure(id: id, GymError(.malformed, "not a BufferRequest: \(error)")), through: socket)
            return
        }
        switch service.handle(request) {
        case .reply(let response):
            if let error = response.failure { logger.warning("request \(request.id) rejected: \(error.code): \(error.message)") }
            send(address, response, through: socket)
            if response.failure == nil, let table = Self.changedTable(request) { retryParked(on: table, through: socket) }
        case .wait(let table):
            let timeout = Self.timeoutMilliseconds(request)
            let call = Parked(frames: address, request: request, table: table, deadline: Self.now() + UInt64(timeout) * 1_000_000)
            if timeout == 0 {
                send(address, service.timedOut(request), through: socket)
            } else {
                parked.append(call)
            }
        }
    }

    private static func timeoutMilliseconds(_ request: Gym_V1_BufferRequest) -> UInt32 {
        switch request.body {
        case .sample(let sample): return sample.timeoutMs
        case .insert(let insert): return insert.timeoutMs
        default: return 0
        }
    }

    /// The table a successful request changed, whose parked calls may now proceed.
    private static func changedTable(_ request: Gym_V1_BufferRequest) -> String? {
        switch request.body {
        case .insert(let insert): return insert.table
        case .sample(let sample): return sample.table
        case .reset(let reset): return reset.table
        default: return nil
        }
    }

    /// Serves parked calls on `table`, oldest first, until a pass serves none.
    private func retryParked(on table: String, through socket: Socket) {
        var progress = true
        while progress {
            progress = false
            var index = 0
            while index < parked.count {
                guard parked[index].table == table else { index += 1; continue }
                if case .reply(let response) = service.handle(parked[index].request, retry: true) {
                    let call = parked.remove(at: index)
                    send(call.frames, response, through: socket)
                    progress = true
                } else {
                    index += 1
                }
            }
        }
    }

    private func expire(through socket: Socket) {
        guard !parked.isEmpty else { return }
        let now = Self.now()
        parked.removeAll { call in
            guard call.deadline <= now else { return false }
            send(call.frames, service.timedOut(call.request), through: socket)
            return true
        }
    }

    private func send(_ address: [[UInt8]], _ response: Gym_V1_BufferResponse, through socket: Socket) {
        do {
            let bytes: [UInt8] = try response.serializedBytes()
            try socket.send(frames: address + [bytes], dontWait: true)
        } catch {
            // The client is gone or not reading: the reply is dropped, the service goes on.
            droppedReplies += 1
            if droppedReplies & (droppedReplies - 1) == 0 {
                logger.warning("reply \(response.id) dropped (\(error)): its client is gone or has \(Self.queuedRepliesPerClient) replies unread; \(droppedReplies) dropped so far")
            }
        }
    }
}
