import CZMQ

extension Socket {
    func setOption(_ option: Int32, _ value: Int32) throws {
        var value = value
        guard zmq_setsockopt(handle, option, &value, MemoryLayout<Int32>.size) == 0 else {
            throw ZMQError.last("setsockopt \(option)")
        }
    }

    func setOption(_ option: Int32, _ value: Int64) throws {
        var value = value
        guard zmq_setsockopt(handle, option, &value, MemoryLayout<Int64>.size) == 0 else {
            throw ZMQError.last("setsockopt \(option)")
        }
    }

    func setOption(_ option: Int32, bytes: [UInt8]) throws {
        let result = bytes.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
        guard result == 0 else { throw ZMQError.last("setsockopt \(option)") }
    }

    func intOption(_ option: Int32) throws -> Int32 {
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        guard zmq_getsockopt(handle, option, &value, &size) == 0 else {
            throw ZMQError.last("getsockopt \(option)")
        }
        return value
    }

    /// Milliseconds a closed socket keeps trying to deliver queued messages (0: drop at once).
    public func setLinger(milliseconds: Int) throws { try setOption(ZMQ_LINGER, Int32(milliseconds)) }

    /// Queue limit, in messages, for outgoing messages per peer (0: unlimited).
    public func setSendHighWaterMark(_ messages: Int) throws { try setOption(ZMQ_SNDHWM, Int32(messages)) }

    /// Queue limit, in messages, for incoming messages per peer (0: unlimited).
    public func setReceiveHighWaterMark(_ messages: Int) throws { try setOption(ZMQ_RCVHWM, Int32(messages)) }

    /// A blocking send fails with `.timedOut` after this many milliseconds (-1: wait forever).
    public func setSendTimeout(milliseconds: Int) throws { try setOption(ZMQ_SNDTIMEO, Int32(milliseconds)) }

    /// A blocking receive fails with `.timedOut` after this many milliseconds (-1: wait forever).
    public func setReceiveTimeout(milliseconds: Int) throws { try setOption(ZMQ_RCVTIMEO, Int32(milliseconds)) }

    /// Peers sending a message larger than this many bytes are disconnected (-1: no limit).
    public func setMaxMessageSize(_ bytes: Int) throws { try setOption(ZMQ_MAXMSGSIZE, Int64(bytes)) }

    /// The identity a DEALER or REQ socket presents to a ROUTER peer.
    public func setRoutingID(_ id: [UInt8]) throws { try setOption(ZMQ_ROUTING_ID, bytes: id) }

    /// Makes a ROUTER fail with `.hostUnreachable` instead of silently dropping unroutable messages.
    public func setRouterMandatory(_ on: Bool) throws { try setOption(ZMQ_ROUTER_MANDATORY, Int32(on ? 1 : 0)) }

    /// Queues messages only to completed connections, so sends to a dead peer time out instead of piling up.
    public func setImmediate(_ on: Bool) throws { try setOption(ZMQ_IMMEDIATE, Int32(on ? 1 : 0)) }

    /// Subscribes a SUB socket to messages starting with `prefix` (empty: everything).
    public func subscribe(_ prefix: [UInt8] = []) throws { try setOption(ZMQ_SUBSCRIBE, bytes: prefix) }

    /// Removes a subscription made with `subscribe`.
    public func unsubscribe(_ prefix: [UInt8] = []) throws { try setOption(ZMQ_UNSUBSCRIBE, bytes: prefix) }

    /// Makes an XPUB socket pass every subscribe message up, not only the first for a prefix.
    public func setXPubVerbose(_ on: Bool) throws { try setOption(ZMQ_XPUB_VERBOSE, Int32(on ? 1 : 0)) }

    /// Makes an XPUB socket fail sends with `.timedOut` at the high-water mark instead of dropping silently.
    public func setXPubNoDrop(_ on: Bool) throws { try setOption(ZMQ_XPUB_NODROP, Int32(on ? 1 : 0)) }

    /// Reconnect delay in milliseconds after a dropped connection.
    public func setReconnectInterval(milliseconds: Int) throws { try setOption(ZMQ_RECONNECT_IVL, Int32(milliseconds)) }

    /// Makes this socket a CURVE server holding `secretKey` (32 raw bytes or 40 Z85 characters).
    public func setCurveServer(secretKey: [UInt8]) throws {
        try setOption(ZMQ_CURVE_SERVER, Int32(1))
        try setOption(ZMQ_CURVE_SECRETKEY, bytes: secretKey)
    }

    /// Makes this socket a CURVE client with its own key pair, trusting `serverKey`.
    public func setCurveClient(serverKey: [UInt8], publicKey: [UInt8], secretKey: [UInt8]) throws {
        try setOption(ZMQ_CURVE_SERVERKEY, bytes: serverKey)
        try setOption(ZMQ_CURVE_PUBLICKEY, bytes: publicKey)
        try setOption(ZMQ_CURVE_SECRETKEY, bytes: secretKey)
    }
}

/// CURVE key pairs, Z85-encoded (40 characters each) as libzmq produces them.
public enum Curve {
    /// Generates a new key pair; fails when libzmq was built without libsodium.
    public static func keyPair() throws -> (publicKey: [UInt8], secretKey: [UInt8]) {
        var publicKey = [CChar](repeating: 0, count: 41)
        var secretKey = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&publicKey, &secretKey) == 0 else { throw ZMQError.last("zmq_curve_keypair") }
        return (publicKey.prefix(40).map { UInt8(bitPattern: $0) }, secretKey.prefix(40).map { UInt8(bitPattern: $0) })
    }
}
