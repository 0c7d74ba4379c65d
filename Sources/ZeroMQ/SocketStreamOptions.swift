import CZMQ

extension Socket {
    /// XPUB: pass every subscription and unsubscription upstream, one per peer, so the owner can
    /// count its subscribers (ZMQ_XPUB_VERBOSE passes only subscriptions).
    public func setXPubVerboser(_ on: Bool) throws { try setOption(ZMQ_XPUB_VERBOSER, Int32(on ? 1 : 0)) }

    /// The kernel send buffer of each connection (SO_SNDBUF); fixing it bounds the bytes that can
    /// sit between a sender and a slow reader.
    public func setSendBuffer(bytes: Int) throws { try setOption(ZMQ_SNDBUF, Int32(clamping: bytes)) }

    /// The kernel receive buffer of each connection (SO_RCVBUF).
    public func setReceiveBuffer(bytes: Int) throws { try setOption(ZMQ_RCVBUF, Int32(clamping: bytes)) }
}

extension Socket {
    /// ZMTP heartbeats: a PING to every peer each `intervalMilliseconds`; a peer that answers
    /// nothing for `timeoutMilliseconds` is disconnected (and a monitor reports it), so a peer
    /// whose process hangs or whose host vanished without closing its TCP connection is found.
    public func setHeartbeat(intervalMilliseconds: Int, timeoutMilliseconds: Int) throws {
        try setOption(ZMQ_HEARTBEAT_IVL, Int32(clamping: intervalMilliseconds))
        try setOption(ZMQ_HEARTBEAT_TIMEOUT, Int32(clamping: timeoutMilliseconds))
    }
}
