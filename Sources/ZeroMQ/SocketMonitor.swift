import CZMQ

/// A connection event a monitored socket reports (`Socket.monitor(_:)`): a peer's connection was
/// accepted or went away, named by its file descriptor.
public struct SocketEvent: Equatable, Sendable {
    /// What happened.
    public enum Kind: Equatable, Sendable {
        /// A peer connected (ZMQ_EVENT_ACCEPTED).
        case accepted
        /// A peer's connection closed (ZMQ_EVENT_DISCONNECTED).
        case disconnected
        /// Any other event, by its libzmq number.
        case other(UInt16)
    }

    /// What happened.
    public let kind: Kind
    /// The connection's file descriptor (the event's value).
    public let descriptor: Int32

    /// Decodes a monitor message: a 6-byte frame (event number, value; native byte order, as
    /// libzmq writes them) and the endpoint. Nil for anything else.
    public init?(frames: [[UInt8]]) {
        guard let first = frames.first, first.count == 6 else { return nil }
        let number = UInt16(first[0]) | UInt16(first[1]) << 8
        let value = UInt32(first[2]) | UInt32(first[3]) << 8 | UInt32(first[4]) << 16 | UInt32(first[5]) << 24
        switch Int32(number) {
        case ZMQ_EVENT_ACCEPTED: kind = .accepted
        case ZMQ_EVENT_DISCONNECTED: kind = .disconnected
        default: kind = .other(number)
        }
        descriptor = Int32(bitPattern: value)
    }
}

extension Socket {
    /// Publishes this socket's accepted and disconnected connections on a PAIR socket bound at
    /// `endpoint` (an `inproc://` name), to be read with a PAIR socket connected there.
    public func monitorConnections(on endpoint: String) throws {
        guard zmq_socket_monitor(handle, endpoint, ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED) == 0 else {
            throw ZMQError.last("zmq_socket_monitor \(endpoint)")
        }
    }

    /// Stops the monitoring `monitorConnections(on:)` started. libzmq's monitor waits for its
    /// reader, so a monitored socket must stop before the reader closes.
    public func stopMonitoring() {
        _ = zmq_socket_monitor(handle, nil, 0)
    }

    /// Receives a whole multipart message with the file descriptor of the connection it came on
    /// (-1 where the transport has none, as over `inproc://`).
    public func receiveMessageWithSource(dontWait: Bool = false) throws -> (frames: [[UInt8]], source: Int32) {
        var frames: [[UInt8]] = []
        var source: Int32 = -1
        var more = true
        while more {
            let part = try receiveFrame(dontWait: dontWait && frames.isEmpty) { Array($0) }
            // A ROUTER's identity frame has no connection when it was prefetched (by a poll), so
            // the first frame that came from the connection names it.
            if source < 0 { source = zmq_msg_get(frame, ZMQ_SRCFD) }
            frames.append(part.0)
            more = part.more
        }
        return (frames, source)
    }
}
