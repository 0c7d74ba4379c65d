import Foundation
import GymCore
import ZeroMQ

/// Settings of one daemon; `gym serve` fills them from its options.
public struct DaemonConfiguration: Sendable {
    /// Where the ROUTER socket binds; `tcp://127.0.0.1:*` picks a free port, `inproc://name` stays in-process.
    public var bind: String
    /// Worker threads stepping environments (never the socket thread).
    public var workers: Int
    /// Environments (counting every copy of a batch) one client may hold at once.
    public var maxEnvsPerClient: Int
    /// Larger incoming messages make libzmq drop the sender's connection.
    public var maxMessageBytes: Int
    /// Seconds without a request after which a client's environments are closed, unless its
    /// connection is known to be open (TCP and IPC without CURVE: the daemon watches connections
    /// and heartbeats them, so a live client keeps its environments however long it waits).
    public var idleTimeout: Double
    /// Seconds between ZMTP heartbeats to each client; a client that answers none for three
    /// intervals is disconnected and its environments are closed. 0 turns heartbeats off.
    public var heartbeatSeconds: Double = 10
    /// Environments this daemon can make.
    public var registry: EnvRegistry
    /// Name reported in the hello reply and logs.
    public var name: String
    /// Microseconds the socket thread watches for a dispatched job to finish before sleeping;
    /// 0 always sleeps (lowest CPU use, higher latency).
    public var spinMicroseconds: Double = 0
    /// Microseconds an idle worker watches its queue before sleeping; 0 always sleeps.
    public var workerSpinMicroseconds: Double = 0
    /// Where the event stream (XPUB) binds; nil for no event stream.
    public var events: String?
    /// What happens to events when subscribers cannot keep up.
    public var eventPolicy: EventPolicy = .block
    /// Most bytes of encoded events queued inside the daemon before the policy applies.
    public var eventQueueBytes: Int = 64 << 20
    /// Events libzmq queues per subscriber before the policy applies.
    public var eventHighWaterMark: Int = 10_000
    /// Keys of the request and event sockets; nil: `CurveSettings.process` when binding.
    public var security: CurveSettings?
    /// Seconds a job (make, reset, step, render, close) may run before the watchdog fails it with
    /// DEADLINE_EXCEEDED, quarantines its environment and moves the worker's other environments
    /// to a fresh thread.
    public var stepTimeout: Double = 5
    /// Seconds a stop may take: queued jobs finish (or are answered SHUTTING_DOWN) within it.
    public var shutdownTimeout: Double = 5
    /// Environments all clients together may hold.
    public var maxEnvs: Int = 32_768
    /// Clients that may hold environments at once.
    public var maxClients: Int = 1024
    /// Requests one client may have queued or running on the workers at once.
    public var maxInFlightPerClient: Int = 1024
    /// Replies queued for one client that does not read them; more are dropped and counted.
    public var maxQueuedReplies: Int = 4096
    /// Requests libzmq buffers per client before it stops reading from that client's connection.
    public var receiveHighWaterMark: Int = 1000
    /// Block policy: seconds a subscriber that reads nothing may hold the stream before it is cut off.
    public var eventStallSeconds: Double = 2

    /// A configuration with the documented defaults.
    public init(
        bind: String = "tcp://127.0.0.1:5555", workers: Int = DaemonConfiguration.defaultWorkers,
        maxEnvsPerClient: Int = 4096, maxMessageBytes: Int = 256 << 20, idleTimeout: Double = 600,
        registry: EnvRegistry, name: String = "gym"
    ) {
        self.bind = bind
        self.workers = max(1, workers)
        self.maxEnvsPerClient = maxEnvsPerClient
        self.maxMessageBytes = maxMessageBytes
        self.idleTimeout = idleTimeout
        self.registry = registry
        self.name = name
    }

    /// One worker per core.
    public static var defaultWorkers: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
}
