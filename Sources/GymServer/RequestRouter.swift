import GymCore
import GymProtocol
import Logging
import SwiftProtobuf

/// The socket thread's request handling, without sockets: reads a client's frames, answers
/// what needs no environment at once, and hands environment work to the owning worker.
///
/// It also keeps the socket thread's books: it counts requests, logs every rejection, and
/// settles finished jobs (a failed make's handle is released). `Daemon` feeds it from its ROUTER
/// socket; the bad-input tests feed it the same frames with no socket at all
/// (`Tests/GymServerTests/Transport.swift`), so one suite checks the handling and the transports.
public final class RequestRouter {
    /// What the router has handled, for the daemon's log.
    public struct Counters: Sendable {
        /// Messages received.
        public var requests = 0
        /// Error replies sent (at once or by a worker).
        public var errors = 0
        /// Handles closed because their client went idle or disconnected.
        public var reclaimedHandles = 0
        /// Worker threads the watchdog cut off, stuck in a job.
        public var abandonedThreads = 0
        /// Replies dropped because their client was gone or had too many unread.
        public var droppedReplies = 0
    }

    /// What to do with one incoming message.
    public enum Action {
        /// Send this reply now.
        case reply(ReplyAddress, Gym_V1_Response)
        /// Queue this job on worker `worker`.
        case dispatch(worker: Int, Job)
    }

    let configuration: DaemonConfiguration
    var table: HandleTable
    var lastSeen: [ClientID: Double] = [:]
    /// Handles whose environment the watchdog cut off, with the reason later requests get.
    var quarantined: [UInt64: String] = [:]
    /// Jobs queued or running per client, against `maxInFlightPerClient`.
    var inFlight: [ClientID: Int] = [:]
    /// What each client's latest hello said of it (one entry per known client, forgotten with it).
    var descriptions: [ClientID: Gym_V1_ClientDescription] = [:]
    private let envList: Gym_V1_EnvList
    private let logger: Logger
    /// What it has handled so far.
    public internal(set) var counters = Counters()

    /// A router for a daemon with this configuration, logging rejections to `logger`.
    public init(configuration: DaemonConfiguration, logger: Logger = Logger(label: "gym.daemon")) {
        self.configuration = configuration
        self.table = HandleTable(workers: configuration.workers)
        self.envList = .with { $0.specs = configuration.registry.all.map(Gym_V1_EnvSpec.init) }
        self.logger = logger
    }

    /// Handles one message as a ROUTER socket delivers it (the connection's routing id frame
    /// first), received at `now` (seconds); counts it and logs an immediate rejection. `owner` is
    /// the identity the connection authenticated as (`Socket.lastFrameUserID`): what the client
    /// makes belongs to it; without one, the routing id serves (in-process connections). Nil for
    /// a message without even a routing id frame, which has nobody to answer.
    public func receive(_ message: [[UInt8]], owner: [UInt8]? = nil, now: Double) -> Action? {
        guard let identity = message.first else { return nil }
        counters.requests += 1
        let client = ClientID(owner ?? identity)
        let action = route(client: client, routing: identity, frames: Array(message.dropFirst()), now: now)
        if case .reply(_, let response) = action, let error = response.gymError {
            note(error, client: client, request: response.id)
        }
        return action
    }

    /// Settles a job a worker finished: releases a failed make's handle, counts and logs an
    /// error reply. Returns the frames to send back, if a reply is due.
    public func settle(_ completion: Completion) -> [[UInt8]]? {
        if let handle = completion.abandonedHandle { abandon(handle) }
        if let client = completion.client { landed(client) }
        if let error = completion.error, let client = completion.client {
            note(error, client: client, request: nil)
        }
        return completion.frames
    }

    /// Logs the totals; called once, when serving has stopped.
    public func logStopped() {
        logger.info("stopped after \(counters.requests) request(s), \(counters.errors) error reply(ies), \(openHandles) handle(s) open at exit")
    }

    private func note(_ error: GymError, client: ClientID, request: UInt64?) {
        counters.errors += 1
        let id = request.map { " request \($0)" } ?? ""
        logger.warning("client \(client)\(id) rejected: \(error.code): \(error.message)")
    }

    /// Handles the frames that followed the routing id frame (`routing`, by default the client's
    /// own bytes) of `client`'s connection, received at `now` (seconds).
    public func route(client: ClientID, routing: [UInt8]? = nil, frames: [[UInt8]], now: Double) -> Action {
        lastSeen[client] = now
        let payload: [UInt8]
        let address: ReplyAddress
        switch frames.count {
        case 1:
            payload = frames[0]
            address = ReplyAddress(client: client, routing: routing, delimited: false)
        case 2 where frames[0].isEmpty:
            payload = frames[1]
            address = ReplyAddress(client: client, routing: routing, delimited: true)
        default:
            let address = ReplyAddress(client: client, routing: routing, delimited: frames.first?.isEmpty ?? false)
            let sizes = frames.map { "\($0.count)" }.joined(separator: ", ")
            return .reply(address, .failure(id: 0, GymError(.malformed,
                "expected one frame holding a Request (optionally after an empty delimiter), got \(frames.count) frames of \(sizes) bytes")))
        }
        guard !payload.isEmpty else {
            return .reply(address, .failure(id: 0, GymError(.malformed, "empty request frame")))
        }
        let request: Gym_V1_Request
        do {
            request = try Gym_V1_Request(serializedBytes: payload)
        } catch {
            let id = Gym_V1_Request.salvageID(from: payload) ?? 0
            return .reply(address, .failure(id: id, GymError(.malformed, "could not decode a Request from \(payload.count) bytes: \(error)")))
        }
        do {
            if request.runsOnAWorker { try checkInFlight(of: address.client) }
            let action = try route(request, from: address)
            if case .dispatch = action { inFlight[address.client, default: 0] += 1 }
            return action
        } catch let error as GymError {
            return .reply(address, .failure(id: request.id, error))
        } catch {
            return .reply(address, .failure(id: request.id, GymError(.internalError, "\(error)")))
        }
    }

    private func route(_ request: Gym_V1_Request, from address: ReplyAddress) throws -> Action {
        let id = request.id
        switch request.body {
        case .hello(let hello):
            guard hello.protocolVersion == gymProtocolVersion else {
                throw GymError(.unsupportedVersion,
                    "this daemon speaks protocol version \(gymProtocolVersion), the client asked for \(hello.protocolVersion)")
            }
            if hello.hasDescription_p {
                let description = try hello.description_p.checked()
                descriptions[address.client] = description
                logger.info("client \(address.client) (\(hello.clientName.clippedForEcho(maxBytes: 64).debugDescription)) says: \(description.logText)")
            }
            return .reply(address, .with {
                $0.id = id
                $0.hello = .with {
                    $0.protocolVersion = gymProtocolVersion
                    $0.serverName = configuration.name
                    $0.maxEnvsPerClient = UInt32(clamping: configuration.maxEnvsPerClient)
                    $0.maxMessageBytes = UInt64(configuration.maxMessageBytes)
                }
            })
        case .listEnvs:
            return .reply(address, .with { $0.id = id; $0.envs = envList })
        case .make(let make):
            return try routeMake(make, id: id, from: address)
        case .reset(let reset):
            return .dispatch(worker: try owned(reset.handle, by: address.client).worker,
                             Job(handle: reset.handle, requestID: id, replyTo: address, kind: .reset(reset)))
        case .step(let step):
            return .dispatch(worker: try owned(step.handle, by: address.client).worker,
                             Job(handle: step.handle, requestID: id, replyTo: address, kind: .step(step)))
        case .render(let render):
            return .dispatch(worker: try owned(render.handle, by: address.client).worker,
                             Job(handle: render.handle, requestID: id, replyTo: address, kind: .render(render)))
        case .close(let close):
            if let reply = closeQuarantined(close.handle, id: id, from: address) { return reply }
            let worker = try owned(close.handle, by: address.client).worker
            table.remove(close.handle)
            return .dispatch(worker: worker, Job(handle: close.handle, requestID: id, replyTo: address, kind: .close(reply: true)))
        case nil:
            throw GymError(.unknownMessage, "request \(id) carries no message this daemon knows (protocol version \(gymProtocolVersion))")
        }
    }

    private func routeMake(_ make: Gym_V1_Make, id: UInt64, from address: ReplyAddress) throws -> Action {
        _ = try configuration.registry.require(make.envID)
        let count = Int(make.numEnvs)
        guard count >= 1 else { throw GymError(.invalidArgument, "num_envs must be at least 1, got \(count)") }
        try checkGlobalLimits(adding: count, for: address.client)
        let held = table.envCount(of: address.client)
        guard held + count <= configuration.maxEnvsPerClient else {
            throw GymError(.quotaExceeded,
                "making \(count) env(s) would give this client \(held + count), over its quota of \(configuration.maxEnvsPerClient)")
        }
        guard !make.hasMaxEpisodeSteps || make.maxEpisodeSteps >= 0 else {
            throw GymError(.invalidArgument, "max_episode_steps must be 0 (no limit) or positive, got \(make.maxEpisodeSteps)")
        }
        guard AutoresetMode(wire: make.autoreset) != nil else {
            throw GymError(.invalidArgument, "unknown autoreset mode \(make.autoreset.rawValue)")
        }
        guard let (handle, worker) = table.add(owner: address.client, count: count, envID: make.envID) else {
            throw GymError(.quotaExceeded, "this daemon has issued every handle it can; restart it")
        }
        return .dispatch(worker: worker, Job(handle: handle, requestID: id, replyTo: address, kind: .make(make),
                                             clientDescription: descriptions[address.client]))
    }

    private func owned(_ handle: UInt64, by client: ClientID) throws -> HandleTable.Entry {
        guard let entry = table.entries[handle] else {
            if table.wasIssued(handle) {
                throw GymError(.unknownHandle, "handle \(handle) was closed or reclaimed")
            }
            if table.isFromAnotherRun(handle) {
                throw GymError(.unknownHandle, "handle \(handle) is from an earlier run: the daemon restarted")
            }
            throw GymError(.unknownHandle, "no handle \(handle)")
        }
        guard entry.owner == client else {
            throw GymError(.notOwner, "handle \(handle) belongs to another client")
        }
        if let reason = quarantined[handle] { throw GymError(.internalError, reason) }
        return entry
    }

    /// A make failed on its worker: release the reserved handle.
    public func abandon(_ handle: UInt64) {
        table.remove(handle)
    }

    /// Close jobs for every client idle longer than the timeout, except those `connected` says
    /// still hold an open connection; forgets those clients.
    public func reclaimIdle(
        now: Double, keeping connected: (ClientID) -> Bool = { _ in false }
    ) -> [(client: ClientID, jobs: [(worker: Int, job: Job)])] {
        let idle = lastSeen.filter { now - $0.value > configuration.idleTimeout && !connected($0.key) }.map(\.key)
        var reclaimed: [(client: ClientID, jobs: [(worker: Int, job: Job)])] = []
        for client in idle {
            let jobs = forget(client)
            if !jobs.isEmpty { reclaimed.append((client, jobs)) }
        }
        return reclaimed
    }

    /// Handles currently open, across all clients.
    public var openHandles: Int { table.entries.count }
}
