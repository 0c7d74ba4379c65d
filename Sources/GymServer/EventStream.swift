import Foundation
import GymProtocol
import Logging
import ZeroMQ

/// The daemon's event socket (XPUB) and the publisher thread that owns it.
///
/// Workers encode events on their own threads and hand the bytes over through a queue; only the
/// publisher thread touches the socket. While no subscriber is attached, `isAttached` is false
/// and workers produce nothing, so an unrecorded daemon pays one lock per job.
public final class EventStream: @unchecked Sendable {
    /// What the stream has done, for the daemon's log.
    public struct Counters: Sendable {
        /// Events sent to the socket.
        public var sent: UInt64 = 0
        /// Events dropped (drop policy, or unsendable at shutdown).
        public var dropped: UInt64 = 0
        /// Times a worker waited for room in the queue (block policy).
        public var waits: UInt64 = 0
    }

    /// The endpoint bound, with a wildcard port resolved.
    public let endpoint: String
    /// What happens when subscribers cannot keep up.
    public let policy: EventPolicy
    private let socket: Socket
    private let queueLimit: Int
    private let daemonName: String
    private var logger: Logger
    private let condition = NSCondition()
    private var queue: [(sequence: UInt64, bytes: [UInt8])] = []
    private var queuedBytes = 0
    private var nextSequence: UInt64 = 1
    private var attached = false
    private var stopping = false
    private var signaled = false
    private var counters = Counters()
    /// Queued bytes at which a worker wakes the publisher before its next timed flush.
    private var wakeBytes: Int { min(1 << 20, queueLimit / 2) }
    /// Longest time an event waits in the queue while a subscriber is attached.
    private static let flushMilliseconds = 2
    private let wake: WakePipe
    private let finished = DispatchSemaphore(value: 0)
    private var thread: Thread?

    /// Binds the event socket; `start()` begins publishing.
    public init(endpoint: String, policy: EventPolicy, queueBytes: Int, highWaterMark: Int = 10_000, daemonName: String,
                context: Context = .shared, logger: Logger, security: CurveSettings = .process) throws {
        self.policy = policy
        self.queueLimit = max(1, queueBytes)
        self.daemonName = daemonName
        self.logger = logger
        socket = try Socket(context, .xpub)
        try socket.setXPubVerbose(true)
        try socket.setXPubNoDrop(true)
        try socket.setSendHighWaterMark(max(1, highWaterMark))
        try socket.secureServer(binding: endpoint, settings: security)
        try socket.bind(endpoint)
        self.endpoint = (try? socket.lastEndpoint) ?? endpoint
        wake = try WakePipe()
    }

    /// Starts the publisher thread.
    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = "gym-events"
        self.thread = thread
        thread.start()
        logger.info("event stream on \(endpoint), policy \(policy.rawValue)")
    }

    /// Whether any subscriber is attached (workers skip encoding otherwise).
    public var isAttached: Bool {
        condition.lock()
        defer { condition.unlock() }
        return attached
    }

    /// What the stream has done so far.
    public var statistics: Counters {
        condition.lock()
        defer { condition.unlock() }
        return counters
    }

    /// Encodes and queues the event of a finished job; called on worker threads.
    func publish(job: Job, response: Gym_V1_Response, resetSeeds: [UInt64]?) {
        guard let bytes = EventEncoding.event(for: job, response: response, resetSeeds: resetSeeds) else { return }
        enqueue(bytes)
    }

    /// Queues an encoded event, waiting for room (block) or dropping it (drop) when the queue is full.
    func enqueue(_ bytes: [UInt8]) {
        condition.lock()
        if queuedBytes + bytes.count > queueLimit && !queue.isEmpty {
            switch policy {
            case .drop:
                nextSequence += 1
                counters.dropped += 1
                condition.unlock()
                return
            case .block:
                counters.waits += 1
                while queuedBytes + bytes.count > queueLimit && !queue.isEmpty && !stopping { condition.wait() }
            }
        }
        queue.append((nextSequence, bytes))
        nextSequence += 1
        queuedBytes += bytes.count
        // The publisher wakes by itself every `flushMilliseconds`; a wake-up per event would
        // cost a thread switch per step on a loaded machine. Only a filling queue pokes it.
        let wake = !signaled && queuedBytes >= wakeBytes
        if wake { signaled = true }
        condition.unlock()
        if wake { poke() }
    }

    /// Stops making workers wait for room (events still queue) and starts the drain clock:
    /// events that subscribers do not take within `drainSeconds` are dropped and counted.
    /// Called before the workers stop, so a stalled subscriber cannot hold up a shutdown.
    public func beginStopping(drainSeconds: Double = 5) {
        condition.lock()
        if !stopping {
            stopping = true
            drainDeadline = DispatchTime.now().uptimeNanoseconds + UInt64(drainSeconds * 1e9)
        }
        condition.broadcast()
        condition.unlock()
    }

    /// Sends what is queued (within the drain time), then closes the socket and ends the thread.
    public func stopAndWait(drainSeconds: Double = 5) {
        beginStopping(drainSeconds: drainSeconds)
        condition.lock()
        let running = thread != nil && !closing
        closing = true
        condition.unlock()
        poke()
        if running { finished.wait() } else if thread == nil { socket.close() }
    }

    private var closing = false
    private var drainDeadline: UInt64 = .max

    private func poke() { wake.poke() }

    private func run() {
        defer { finished.signal() }
        var poller = Poller()
        poller.add(socket)
        poller.add(fileDescriptor: wake.descriptor)
        var batch: [(sequence: UInt64, bytes: [UInt8])] = []
        var lastReport = Self.now()
        var reportedDrops: UInt64 = 0
        while true {
            _ = try? poller.poll(timeoutMilliseconds: isAttached || !isQueueEmpty ? Self.flushMilliseconds : 1000)
            readSubscriptions()
            wake.drain()
            condition.lock()
            signaled = false
            swap(&batch, &queue)
            queuedBytes = 0
            let done = closing
            condition.broadcast()
            condition.unlock()
            for event in batch { send(event) }
            batch.removeAll(keepingCapacity: true)
            let now = Self.now()
            if now - lastReport >= 5 {
                lastReport = now
                let dropped = statistics.dropped
                if dropped > reportedDrops {
                    logger.warning("event stream: dropped \(dropped - reportedDrops) event(s) in the last 5 s (\(dropped) in all): subscribers did not keep up")
                    reportedDrops = dropped
                }
            }
            if done && isQueueEmpty { break }
        }
        let final = statistics
        logger.info("event stream: \(final.sent) event(s) sent, \(final.dropped) dropped, workers waited for room \(final.waits) time(s)")
        socket.close()
    }

    private var isQueueEmpty: Bool {
        condition.lock()
        defer { condition.unlock() }
        return queue.isEmpty
    }

    /// Reads subscribe (first byte 1) and unsubscribe (0) messages; a subscribe gets a
    /// `StreamAttached` event, sent before any event produced after it.
    private func readSubscriptions() {
        while let (frame, _) = try? socket.receiveFrame(dontWait: true) {
            guard let kind = frame.first else { continue }
            if kind == 1 {
                condition.lock()
                attached = true
                let sequence = nextSequence
                nextSequence += 1
                let dropped = counters.dropped
                condition.unlock()
                logger.notice("event stream: a subscriber attached")
                let hello = Gym_V1_Event.with {
                    $0.time = Date().timeIntervalSince1970
                    $0.attached = .with {
                        $0.daemon = daemonName
                        $0.protocolVersion = gymProtocolVersion
                        $0.policy = policy.rawValue
                        $0.droppedEvents = dropped
                    }
                }
                if let bytes: [UInt8] = try? hello.serializedBytes() { send((sequence, bytes)) }
            } else if kind == 0 {
                // With a verbose XPUB, an unsubscribe comes only when the last subscriber left.
                condition.lock()
                attached = false
                condition.unlock()
                logger.notice("event stream: no subscriber attached; events paused")
            }
        }
    }

    private func send(_ event: (sequence: UInt64, bytes: [UInt8])) {
        let message = EventEncoding.sequencePrefix(event.sequence) + event.bytes
        while true {
            do {
                try socket.send(message, dontWait: true)
                condition.lock()
                counters.sent += 1
                condition.unlock()
                return
            } catch let error as ZMQError where error.code == .timedOut {
                // A subscriber's queue is full.
                let giveUp = policy == .drop || (isStopping && DispatchTime.now().uptimeNanoseconds > drainDeadline)
                if giveUp {
                    condition.lock()
                    counters.dropped += 1
                    condition.unlock()
                    return
                }
                readSubscriptions()
                usleep(100)
            } catch {
                logger.error("event stream: could not send event \(event.sequence): \(error)")
                condition.lock()
                counters.dropped += 1
                condition.unlock()
                return
            }
        }
    }

    private var isStopping: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopping
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
