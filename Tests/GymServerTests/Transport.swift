import Foundation
import GymCore
import GymProtocol
import GymServer
import Logging
import SwiftProtobuf
import Testing
import ZeroMQ

/// How a bad-input test reaches the daemon: the same test body runs over each.
enum Transport: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// The router and the workers driven on the test's thread: no socket, no thread.
    case direct
    /// A started daemon over `inproc://`, as the embedded daemon runs.
    case inproc
    /// A started daemon over TCP loopback, as `gym serve` runs.
    case tcp

    var testDescription: String { rawValue }
}

/// A daemon a test talks to over some transport.
protocol TestDaemon {
    /// A new client with an identity of its own.
    func client() throws -> any TestClient
}

/// One client's view of a daemon: frames out, replies (without the identity frame) in.
protocol TestClient: AnyObject {
    func send(frames: [[UInt8]]) throws
    /// The next reply, decoded; also returns the frames it came in.
    func receive() throws -> (response: Gym_V1_Response, frames: [[UInt8]])
}

extension TestClient {
    func send(_ request: Gym_V1_Request) throws { try send(frames: [try request.serializedBytes()]) }

    func call(_ id: UInt64, _ body: Gym_V1_Request.OneOf_Body) throws -> Gym_V1_Response {
        try send(.with { $0.id = id; $0.body = body })
        return try receive().response
    }

    func make(_ env: String = "CartPole-v1", count: UInt32 = 1, id: UInt64 = 900) throws -> UInt64 {
        let reply = try call(id, .make(.with { $0.envID = env; $0.numEnvs = count; $0.seed = 1 }))
        return reply.make.handle
    }

    /// A request that must succeed after a rejected one: the daemon still serves this client.
    func stillServed() throws -> Bool {
        let handle = try make()
        let reset = try call(901, .reset(.with { $0.handle = handle }))
        let step = try call(902, .step(.with {
            $0.handle = handle
            $0.actions = [Gym_V1_Tensor(NDArray(dtype: .int64, shape: [1], values: [1]))]
        }))
        return !reset.hasError && !step.hasError && step.step.rewards.data.count == 8 && step.id == 902
    }
}

/// Runs `body` against a daemon over `transport`, configured as the bad-input suite needs,
/// and stops it (logging its totals) when the body returns.
func withDaemon<R>(
    over transport: Transport, maxEnvsPerClient: Int = 4096, idleTimeout: Double = 600, workers: Int = 2,
    maxClients: Int = 1024, logger: Logger = quietLogger,
    _ body: (any TestDaemon) throws -> R
) throws -> R {
    var configuration = DaemonConfiguration(
        bind: transport == .inproc ? "inproc://gym-bad-input-\(UUID().uuidString)" : "tcp://127.0.0.1:*",
        workers: workers, maxEnvsPerClient: maxEnvsPerClient, idleTimeout: idleTimeout, registry: try testRegistry())
    configuration.maxClients = maxClients
    switch transport {
    case .direct:
        let daemon = DirectDaemon(configuration: configuration, logger: logger)
        defer { daemon.router.logStopped() }
        return try body(daemon)
    case .inproc, .tcp:
        let daemon = try Daemon(configuration: configuration, logger: logger)
        try daemon.start()
        defer { daemon.shutdown() }
        return try body(SocketDaemon(endpoint: daemon.endpoint))
    }
}

/// A started daemon, reached through DEALER sockets.
struct SocketDaemon: TestDaemon {
    let endpoint: String
    func client() throws -> any TestClient { try RawClient(endpoint) }
}

/// The daemon's socket-free parts, driven the way its socket thread drives them: each message
/// goes through `RequestRouter.receive`, a dispatched job runs at once on its shard's
/// `EnvWorker`, and the router settles the completion. Replies wait in per-client outboxes.
final class DirectDaemon: TestDaemon {
    let router: RequestRouter
    private let workers: [EnvWorker]
    private var outboxes: [[UInt8]: [[[UInt8]]]] = [:]
    private var clients: UInt32 = 0

    init(configuration: DaemonConfiguration, logger: Logger) {
        router = RequestRouter(configuration: configuration, logger: logger)
        workers = (0..<configuration.workers).map { _ in EnvWorker(registry: configuration.registry) }
    }

    func client() throws -> any TestClient {
        clients += 1
        // Five bytes with a leading zero, as libzmq's ROUTER names its peers.
        return DirectClient(daemon: self, identity: [0] + withUnsafeBytes(of: clients.bigEndian) { Array($0) })
    }

    /// What the socket thread does with one message from `identity`.
    func deliver(_ frames: [[UInt8]], from identity: [UInt8]) throws {
        let now = Double(DispatchTime.now().uptimeNanoseconds) / 1e9
        switch router.receive([identity] + frames, now: now) {
        case nil:
            return
        case .reply(let address, let response):
            post(address.frames(try response.serializedBytes()))
        case .dispatch(let worker, let job):
            if let reply = router.settle(workers[worker].execute(job)) { post(reply) }
        }
    }

    /// The oldest reply waiting for `identity`.
    func take(for identity: [UInt8]) -> [[UInt8]]? {
        guard var queue = outboxes[identity], !queue.isEmpty else { return nil }
        let frames = queue.removeFirst()
        outboxes[identity] = queue
        return frames
    }

    private func post(_ frames: [[UInt8]]) {
        guard let identity = frames.first else { return }
        // A DEALER receives the frames after the identity the ROUTER routed on.
        outboxes[identity, default: []].append(Array(frames.dropFirst()))
    }
}

/// A client of a `DirectDaemon`.
final class DirectClient: TestClient {
    private let daemon: DirectDaemon
    private let identity: [UInt8]

    init(daemon: DirectDaemon, identity: [UInt8]) {
        self.daemon = daemon
        self.identity = identity
    }

    func send(frames: [[UInt8]]) throws { try daemon.deliver(frames, from: identity) }

    func receive() throws -> (response: Gym_V1_Response, frames: [[UInt8]]) {
        // Every request is handled inside `send`, so a missing reply is one that never comes.
        guard let frames = daemon.take(for: identity) else { throw GymError(.timedOut, "no reply is waiting") }
        return (try Gym_V1_Response(serializedBytes: frames.last ?? []), frames)
    }
}
