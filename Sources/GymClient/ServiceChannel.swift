import Foundation
import GymCore
import GymProtocol
import SwiftProtobuf
import ZeroMQ

/// A DEALER connection to one of the services (daemon, buffer, parameters): correlation ids,
/// pipelining, and a deadline on every call, so a dead service gives `GymError.Code.timedOut`
/// instead of a hang. The one timed receive loop of the client library: `GymConnection`,
/// `BufferClient` and `ParameterClient` are built on it.
///
/// Use a channel from one thread at a time; open one per thread for concurrency.
public final class ServiceChannel<Request: ServiceRequest, Response: ServiceResponse>: @unchecked Sendable {
    /// The service's endpoint.
    public let endpoint: String
    /// Seconds a call waits for its reply beyond any wait the request itself asks the service for.
    public var timeout: Double
    private let socket: Socket
    private var nextID: UInt64 = 1
    private var outstanding: Set<UInt64> = []
    private var early: [UInt64: Response] = [:]
    /// Replies to pipelined requests that came first, still as bytes (read by id only).
    private var earlyPayloads: [UInt64: [UInt8]] = [:]
    private var receiveTimeout = -1
    /// Whether any reply ever arrived on this channel.
    private var heardFrom = false

    /// Connects (libzmq connects in the background; the first call's deadline covers it).
    /// `highWaterMark` bounds the messages queued each way (0: no bound; nil: libzmq's default).
    /// `security`: the keys to present and expect (nil: `CurveSettings.process`); a server that
    /// refuses them never answers, so calls end in `timedOut`.
    public init(endpoint: String, timeout: Double, highWaterMark: Int? = 0, context: Context = .shared,
                security: CurveSettings? = nil) throws {
        // `127.0.0.1:5555` is the mistake people make; libzmq's own error for it says only "Invalid argument".
        guard endpoint.contains("://") else {
            throw GymError(.invalidArgument, "\(endpoint.clippedForEcho()) names no transport: use tcp://HOST:PORT (or ipc://PATH, inproc://NAME)")
        }
        self.endpoint = endpoint
        self.timeout = timeout
        socket = try Socket(context, .dealer)
        try socket.setSendTimeout(milliseconds: Int((Self.bounded(timeout) * 1000).rounded()))
        try socket.setReconnectInterval(milliseconds: 50)
        if let highWaterMark {
            try socket.setSendHighWaterMark(highWaterMark)
            try socket.setReceiveHighWaterMark(highWaterMark)
        }
        do {
            try socket.secureClient(connecting: endpoint, settings: security ?? .process)
        } catch let error as CurveError {
            throw GymError(.invalidArgument, "cannot secure the connection to \(endpoint): \(error.message)")
        }
        do {
            try socket.connect(endpoint)
        } catch {
            throw GymError(.invalidArgument, "cannot connect to \(endpoint): \(error)")
        }
    }

    /// Sends a request without waiting; returns its id for `receive`.
    public func send(_ request: Request) throws -> UInt64 {
        var request = request
        let id = nextID
        nextID += 1
        request.id = id
        do {
            try socket.send(try request.serializedBytes() as [UInt8])
        } catch let error as ZMQError where error.code == .timedOut {
            throw GymError(.timedOut, "could not send to \(endpoint) within \(timeout) s")
        }
        outstanding.insert(id)
        return id
    }

    /// A wait in seconds between 0 and a day, so no timeout a caller passes (1e300, NaN) can
    /// overflow the milliseconds or nanoseconds it becomes.
    static func bounded(_ seconds: Double) -> Double { seconds >= 0 ? min(seconds, 86_400) : 0 }

    /// Waits for the reply to request `id`, at most `timeout + extraSeconds`; an error reply is
    /// thrown as its `GymError`.
    public func receive(_ id: UInt64, extraSeconds: Double = 0) throws -> Response {
        try receive(id, extraSeconds: extraSeconds, fast: { _ in nil }, slow: { $0 })
    }

    /// Waits for the reply to request `id` like `receive(_:extraSeconds:)`, reading it with
    /// `fast` straight from the received bytes; when `fast` answers nil (an error reply, or
    /// anything it leaves to swift-protobuf) the reply is decoded as a `Response` for `slow`.
    public func receive<T>(_ id: UInt64, extraSeconds: Double = 0, fast: (UnsafeRawBufferPointer) -> T?,
                           slow: (Response) throws -> T) throws -> T {
        defer { outstanding.remove(id) }
        if let response = early.removeValue(forKey: id) { return try slow(checked(response)) }
        if let payload = earlyPayloads.removeValue(forKey: id) {
            if let value = payload.withUnsafeBytes(fast) { return value }
            if let response = try? Response(serializedBytes: payload), response.id == id { return try slow(checked(response)) }
        }
        let start = DispatchTime.now().uptimeNanoseconds
        let seconds = timeout + max(0, extraSeconds)
        let budget = UInt64(Self.bounded(seconds) * 1e9)
        while true {
            let elapsed = DispatchTime.now().uptimeNanoseconds &- start
            guard elapsed < budget else {
                throw GymError(.timedOut, "no reply from \(endpoint) to request \(id) within \(seconds) s\(silenceHint)")
            }
            let milliseconds = max(1, Int((budget - elapsed) / 1_000_000))
            // Within 5% of the current setting is close enough: skip the option call.
            if abs(milliseconds - receiveTimeout) * 20 > receiveTimeout {
                try socket.setReceiveTimeout(milliseconds: milliseconds)
                receiveTimeout = milliseconds
            }
            let payload: [UInt8]
            do {
                payload = try socket.receiveMessage().last ?? []
            } catch let error as ZMQError where error.code == .timedOut {
                continue
            }
            // The id is read without decoding the rest: a pipelined request's reply waits as
            // bytes until asked for, and the awaited one is read once, by `fast` when it can.
            if let peeked = payload.withUnsafeBytes(StepReplyWire.responseID) {
                heardFrom = true
                guard peeked == id else {
                    // Stale replies (to requests given up on) are dropped.
                    if outstanding.contains(peeked) { earlyPayloads[peeked] = payload }
                    continue
                }
            }
            if let value = payload.withUnsafeBytes(fast) {
                heardFrom = true
                return value
            }
            guard let response = try? Response(serializedBytes: payload) else { continue }
            heardFrom = true
            if response.id == id { return try slow(checked(response)) }
            // A pipelined request's reply, kept until asked for; stale ones are dropped.
            if outstanding.contains(response.id) { early[response.id] = response }
        }
    }

    /// Sends a request and waits for its reply.
    public func call(_ request: Request, extraSeconds: Double = 0) throws -> Response {
        try receive(try send(request), extraSeconds: extraSeconds)
    }

    /// Requests sent and not yet received.
    public var inFlight: Int { outstanding.count }

    /// What a timeout adds when nothing ever answered at a TCP address: most often no service
    /// listens there, or it listens on loopback only.
    private var silenceHint: String {
        guard !heardFrom, endpoint.hasPrefix("tcp://") else { return "" }
        return "; nothing has answered at \(endpoint): is the service running there? `gym serve` and the other services bind loopback (127.0.0.1) unless --bind says otherwise"
    }

    private func checked(_ response: Response) throws -> Response {
        if let error = response.failure { throw error }
        return response
    }
}
