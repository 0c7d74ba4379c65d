import Foundation
import GymProtocol
import Logging
import ZeroMQ

/// The daemon's event socket (XPUB) and the publisher thread that owns it.
///
/// Workers encode events on their own threads and hand the bytes over through a queue; only the
/// publisher thread touches the socket. While no subscriber is attached, `isAttached` is false
/// and workers produce nothing, so an unrecorded daemon pays one lock per job.
///
/// Under the block policy a subscriber that stops reading holds the stream for at most
/// `stallSeconds`: then it is cut off (the event is sent to the subscribers with room, and
/// libzmq stops queueing for the full one until it reads again), so one silent peer cannot
/// freeze the daemon. A subscriber that was cut off sees the gap in the sequence numbers.
public final class EventStream: @unchecked Sendable {
    /// What the stream has done, for the daemon's log.
    public struct Counters: Sendable {
        /// Events sent to the socket.
        public var sent: UInt64 = 0
        /// Events dropped (drop policy, or unsendable at shutdown).
        public var dropped: UInt64 = 0
        /// Episodes that ended inside dropped events (terminated or truncated steps).
        public var droppedEpisodeEnds: UInt64 = 0
        /// Times a worker waited for room in the queue (block policy).
        public var waits: UInt64 = 0
        /// Subscribers cut off because they read nothing for `stallSeconds` (block policy).
        public var detachedSubscribers: UInt64 = 0
        /// Events published while a cut-off subscriber was still connected: events it lost,
        /// unless it started reading again (counted until a subscriber leaves).
        public var detachedLostEvents: UInt64 = 0
    }

    /// The endpoint bound, with a wildcard port resolved.
    public let endpoint: String
    /// What happens when subscribers cannot keep up.
    public let policy: EventPolicy
    /// Longest a send waits for a subscriber that reads nothing (block policy) before cutting it off.
    public let stallSeconds: Double
    private let socket: Socket
    private let queueLimit: Int
    private let daemonName: String
    private var logger: Logger
    private let condition = NSCondition()
    /// An encoded event waiting for the publisher, with the episodes that end in it (counted if it is dropped).
    private struct QueuedEvent {
        var sequence: UInt64
        var bytes: [UInt8]
        var episodeEnds: UInt64 = 0
    }
    private var queue: [QueuedEvent] = []
    private var queuedBytes = 0
    private var nextSequence: UInt64 = 1
    private var attached = false
    /// Subscriptions minus unsubscriptions seen (XPUB_VERBOSER passes both for every peer).
    private var subscriptions = 0
    /// A cut-off subscriber may still be connected: published events count as lost to it.
    private var cutOffActive = false
    private var stopping = false
    private var signaled = false
    private var counters = Counters()
    /// Queued bytes at which a worker wakes the publisher before its next timed flush.
    private var wakeBytes: Int { min(1 << 20, queueLimit / 2) }
    /// Block policy: most bytes queued inside the daemon, events libzmq queues per subscriber,
    /// and each connection's kernel send buffer.
    static let blockQueueBytes = 1 << 20
    static let blockHighWaterMark = 1000
    static let blockSocketBufferBytes = 256 << 10
    /// Longest time an event waits in the queue while a subscriber is attached.
    private static let flushMilliseconds = 2
    private let wake: WakePipe
    private let finished = DispatchSemaphore(value: 0)
    private var thread: Thread?

    /// Binds the event socket; `start()` begins publishing.
    public init(endpoint: String, policy: EventPolicy, queueBytes: Int, highWaterMark: Int = 10_000, stallSeconds: Double = 2,
                daemonName: String, context: Context = .shared, logger: Logger, security: CurveSettings = .process) throws {
        self.policy = policy
        self.stallSeconds = stallSeconds.isFinite ? min(max(stallSeconds, 0.001), 3600) : 2
        // Under block every buffered event is lag between a client's step and the recorder's
        // commit, so the buffers stay small: a recorder's promise ("episodes that ended a commit
        // interval ago are stored") holds only if the stream cannot hold seconds of events.
        self.queueLimit = policy == .block ? min(max(1, queueBytes), Self.blockQueueBytes) : max(1, queueBytes)
        self.daemonName = daemonName
        self.logger = logger
        socket = try Socket(context, .xpub)
        try socket.setXPubVerbose(true)
        // Every leaving subscriber is reported, so the stream knows when a cut-off one is gone.
        try socket.setXPubVerboser(true)
        try socket.setXPubNoDrop(true)
        try socket.setSendHighWaterMark(max(1, policy == .block ? min(highWaterMark, Self.blockHighWaterMark) : highWaterMark))
        if policy == .block { try socket.setSendBuffer(bytes: Self.blockSocketBufferBytes) }
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
    func publish(job: Job, response: Gym_V1_Response, resetSeeds: [UInt64]?, batch: Gym_V1_MakeEvent? = nil) {
        guard let bytes = EventEncoding.event(for: job, response: response, resetSeeds: resetSeeds, batch: batch) else { return }
        enqueue(bytes, episodeEnds: EventEncoding.episodeEnds(in: response))
    }

    /// Queues an encoded event, waiting for room (block) or dropping it (drop) when the queue is full.
    func enqueue(_ bytes: [UInt8], episodeEnds: UInt64 = 0) {
        condition.lock()
        if queuedBytes + bytes.count > queueLimit && !queue.isEmpty {
            switch policy {
            case .drop:
                nextSequence += 1
                counters.dropped += 1
                counters.droppedEpisodeEnds += episodeEnds
                condition.unlock()
                return
            case .block:
                counters.waits += 1
                while queuedBytes + bytes.count > queueLimit && !queue.isEmpty && !stopping { condition.wait() }
            }
        }
        queue.append(QueuedEvent(sequence: nextSequence, bytes: bytes, episodeEnds: episodeEnds))
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
        var batch: [QueuedEvent] = []
        var lastReport = Self.now()
        var reportedDrops: UInt64 = 0
        var reportedDetachedLosses: UInt64 = 0
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
                let lost = statistics.detachedLostEvents
                if lost > reportedDetachedLosses {
                    logger.warning("event stream: \(lost - reportedDetachedLosses) event(s) in the last 5 s (\(lost) in all) not delivered to a subscriber that was cut off")
                    reportedDetachedLosses = lost
                }
            }
            if done && isQueueEmpty { break }
        }
        let final = statistics
        logger.info("event stream: \(final.sent) event(s) sent, \(final.dropped) dropped, workers waited for room \(final.waits) time(s), \(final.detachedSubscribers) stalled subscriber(s) cut off, \(final.detachedLostEvents) event(s) lost to them")
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
                subscriptions += 1
                let sequence = nextSequence
                nextSequence += 1
                let dropped = counters.dropped
                let detached = counters.detachedSubscribers
                condition.unlock()
                logger.notice("event stream: a subscriber attached")
                let hello = Gym_V1_Event.with {
                    $0.time = Date().timeIntervalSince1970
                    $0.attached = .with {
                        $0.daemon = daemonName
                        $0.protocolVersion = gymProtocolVersion
                        $0.policy = policy.rawValue
                        $0.droppedEvents = dropped
                        $0.detachedSubscribers = detached
                    }
                }
                if let bytes: [UInt8] = try? hello.serializedBytes() { send(QueuedEvent(sequence: sequence, bytes: bytes)) }
            } else if kind == 0 {
                condition.lock()
                subscriptions = max(0, subscriptions - 1)
                let left = subscriptions == 0
                if left { attached = false }
                // The cut-off subscriber is likely the one that left; stop counting its losses.
                cutOffActive = false
                condition.unlock()
                if left { logger.notice("event stream: no subscriber attached; events paused") }
            }
        }
    }

    private func send(_ event: QueuedEvent) {
        condition.lock()
        let droppedEnds = counters.droppedEpisodeEnds
        condition.unlock()
        var message = EventEncoding.sequencePrefix(event.sequence)
        if droppedEnds > 0 { message += EventEncoding.droppedEpisodeEndsPrefix(droppedEnds) }
        message += event.bytes
        var waitingSince: UInt64?
        while true {
            do {
                try socket.send(message, dontWait: true)
                condition.lock()
                counters.sent += 1
                if cutOffActive { counters.detachedLostEvents += 1 }
                condition.unlock()
                return
            } catch let error as ZMQError where error.code == .timedOut {
                // A subscriber's queue is full.
                let now = DispatchTime.now().uptimeNanoseconds
                let giveUp = policy == .drop || (isStopping && now > drainDeadline)
                if giveUp {
                    condition.lock()
                    counters.dropped += 1
                    counters.droppedEpisodeEnds += event.episodeEnds
                    condition.unlock()
                    return
                }
                let start = waitingSince ?? now
                waitingSince = start
                if Double(now - start) / 1e9 >= stallSeconds {
                    cutOff(message, sequence: event.sequence)
                    return
                }
                readSubscriptions()
                usleep(100)
            } catch {
                logger.error("event stream: could not send event \(event.sequence): \(error)")
                condition.lock()
                counters.dropped += 1
                counters.droppedEpisodeEnds += event.episodeEnds
                condition.unlock()
                return
            }
        }
    }

    /// Sends `message` to the subscribers with room and not to the full ones: libzmq then stops
    /// queueing for those until they read again, so later sends do not wait for them.
    private func cutOff(_ message: [UInt8], sequence: UInt64) {
        do {
            try socket.setXPubNoDrop(false)
            defer { try? socket.setXPubNoDrop(true) }
            try socket.send(message, dontWait: true)
        } catch {
            logger.error("event stream: could not send event \(sequence) past a stalled subscriber: \(error)")
        }
        condition.lock()
        counters.sent += 1
        counters.detachedSubscribers += 1
        counters.detachedLostEvents += 1
        cutOffActive = true
        let detached = counters.detachedSubscribers
        condition.unlock()
        logger.warning("event stream: a subscriber read nothing for \(stallSeconds) s: cut it off at event \(sequence) (\(detached) cut off so far); it loses events until it reads again and sees the gap, the other subscribers keep every event")
    }

    private var isStopping: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopping
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
