import CZMQ

/// A libzmq socket. Owned by one thread at a time: libzmq sockets are not thread-safe.
///
/// Received frames are copied out of a `zmq_msg_t` sized by libzmq, so any frame size works;
/// `receiveMessage()` reads the "more" flag before the frame is released.
public final class Socket: @unchecked Sendable {
    /// The context this socket lives in; retained so the context outlives the socket.
    public let context: Context
    /// The pattern this socket was created with.
    public let type: SocketType
    let handle: UnsafeMutableRawPointer
    let frame: UnsafeMutablePointer<zmq_msg_t>
    private var isClosed = false

    /// Creates a socket of `type` in `context`, with linger set to 0 so closing never blocks.
    public init(_ context: Context, _ type: SocketType) throws {
        guard let handle = zmq_socket(context.handle, type.rawValue) else {
            throw ZMQError.last("zmq_socket")
        }
        self.context = context
        self.type = type
        self.handle = handle
        self.frame = .allocate(capacity: 1)
        zmq_msg_init(frame)
        try setOption(ZMQ_LINGER, Int32(0))
    }

    deinit {
        close()
        zmq_msg_close(frame)
        frame.deallocate()
    }

    /// Closes the socket; later calls fail. Safe to call twice.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        zmq_close(handle)
    }

    // MARK: Endpoints

    /// Binds to an endpoint such as `tcp://127.0.0.1:5555`, `tcp://127.0.0.1:*` or `inproc://name`.
    public func bind(_ endpoint: String) throws {
        guard zmq_bind(handle, endpoint) == 0 else { throw ZMQError.last("bind \(endpoint)") }
    }

    /// Connects to an endpoint; libzmq reconnects in the background if the peer is not up yet.
    public func connect(_ endpoint: String) throws {
        guard zmq_connect(handle, endpoint) == 0 else { throw ZMQError.last("connect \(endpoint)") }
    }

    /// Removes a connection made with `connect`.
    public func disconnect(_ endpoint: String) throws {
        guard zmq_disconnect(handle, endpoint) == 0 else { throw ZMQError.last("disconnect \(endpoint)") }
    }

    /// The endpoint last bound, with a wildcard port resolved (`tcp://127.0.0.1:41234`).
    public var lastEndpoint: String {
        get throws {
            var buffer = [CChar](repeating: 0, count: 1024)
            var size = buffer.count
            guard zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size) == 0 else {
                throw ZMQError.last("getsockopt ZMQ_LAST_ENDPOINT")
            }
            return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    // MARK: Sending

    /// Sends one frame; `more` marks that further frames of the same message follow.
    public func send(_ bytes: UnsafeRawBufferPointer, more: Bool = false, dontWait: Bool = false) throws {
        var flags: Int32 = 0
        if more { flags |= ZMQ_SNDMORE }
        if dontWait { flags |= ZMQ_DONTWAIT }
        while zmq_send(handle, bytes.baseAddress, bytes.count, flags) < 0 {
            let error = ZMQError.last("send")
            if error.code != .interrupted { throw error }
        }
    }

    /// Sends one frame from a byte array.
    public func send(_ bytes: [UInt8], more: Bool = false, dontWait: Bool = false) throws {
        try bytes.withUnsafeBytes { try send($0, more: more, dontWait: dontWait) }
    }

    /// Sends a whole multipart message.
    public func send(frames: [[UInt8]], dontWait: Bool = false) throws {
        for (index, part) in frames.enumerated() {
            try send(part, more: index < frames.count - 1, dontWait: dontWait)
        }
    }

    // MARK: Receiving

    /// Receives one frame, calling `body` with its bytes while the frame is still held.
    /// Returns `body`'s result and whether more frames of the same message follow.
    public func receiveFrame<R>(dontWait: Bool = false, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> (R, more: Bool) {
        let flags: Int32 = dontWait ? ZMQ_DONTWAIT : 0
        while zmq_msg_recv(frame, handle, flags) < 0 {
            let error = ZMQError.last("receive")
            if error.code != .interrupted { throw error }
        }
        let size = zmq_msg_size(frame)
        let more = zmq_msg_more(frame) != 0
        let result = try body(UnsafeRawBufferPointer(start: zmq_msg_data(frame), count: size))
        return (result, more)
    }

    /// Receives one frame as a byte array, with its "more" flag.
    public func receiveFrame(dontWait: Bool = false) throws -> (bytes: [UInt8], more: Bool) {
        let (bytes, more) = try receiveFrame(dontWait: dontWait) { Array($0) }
        return (bytes, more)
    }

    /// Receives a whole multipart message, one byte array per frame.
    public func receiveMessage(dontWait: Bool = false) throws -> [[UInt8]] {
        var frames: [[UInt8]] = []
        var more = true
        var first = true
        while more {
            // Only the first frame may be non-blocking: the rest of a message arrives atomically.
            let part = try receiveFrame(dontWait: dontWait && first)
            frames.append(part.bytes)
            more = part.more
            first = false
        }
        return frames
    }

    /// Whether a receive would return a message now (ZMQ_EVENTS has POLLIN).
    public var hasIncoming: Bool {
        (try? intOption(ZMQ_EVENTS)).map { $0 & Int32(ZMQ_POLLIN) != 0 } ?? false
    }
}
