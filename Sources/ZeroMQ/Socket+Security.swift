import CZMQ
import Logging

extension Socket {
    /// Prepares a server socket that will bind `endpoint`: routes its connections through the
    /// context's `ZAPAuthenticator` and, with keys, makes it a CURVE server accepting
    /// `settings.allowed` and its own key. Without keys, refuses an endpoint beyond this host
    /// unless `settings.insecure`. `inproc://` runs no handshake, so no mechanism applies there.
    public func secureServer(binding endpoint: String, settings: CurveSettings = .process) throws {
        guard !EndpointScope.isInProcess(endpoint) else { return }
        if let keys = settings.keys {
            let authenticator = try ZAPAuthenticator.running(in: context)
            authenticator.allow(settings.allowed.union([keys.publicKey]))
            try setOption(ZMQ_ZAP_DOMAIN, bytes: Array(ZAPAuthenticator.domain.utf8))
            try setCurveServer(secretKey: keys.secretKey.raw)
            return
        }
        guard EndpointScope.isLocal(endpoint) || settings.insecure else {
            throw CurveError(.insecureEndpoint,
                "\(endpoint) is reachable from other hosts: give the server a key (--curve-secret FILE, clients in --allow) or pass --insecure to serve it in plain text")
        }
        _ = try ZAPAuthenticator.running(in: context)
        try setOption(ZMQ_ZAP_DOMAIN, bytes: Array(ZAPAuthenticator.domain.utf8))
    }

    /// Registers a CURVE server's resolved endpoint, so clients of this process and its children
    /// expect this server's key there. Call after `bind`.
    public func registerServerKey(settings: CurveSettings = .process) {
        guard let keys = settings.keys, let endpoint = try? lastEndpoint, !EndpointScope.isInProcess(endpoint) else { return }
        CurveSettings.register(endpoint: endpoint, key: keys.publicKey)
    }

    /// Prepares a client socket that will connect to `endpoint`: with keys, a CURVE client
    /// presenting them and expecting the endpoint's key (`settings.endpointKeys`, else
    /// `settings.serverKey`, else its own public key).
    public func secureClient(connecting endpoint: String, settings: CurveSettings = .process) throws {
        guard !EndpointScope.isInProcess(endpoint) else { return }
        guard let keys = settings.keys else {
            guard settings.serverKey == nil else {
                throw CurveError(.incompleteSettings, "a server key was given without the client's own key (--curve-secret FILE)")
            }
            return
        }
        let serverKey = settings.endpointKeys[endpoint] ?? settings.serverKey ?? keys.publicKey
        try setCurveClient(serverKey: serverKey.raw, publicKey: keys.publicKey.raw, secretKey: keys.secretKey.raw)
    }

    /// The user id the ZAP handler gave the connection the last received frame came over
    /// (`curve:KEY` or `conn:N`); nil over `inproc://` or without a handler.
    public var lastFrameUserID: [UInt8]? {
        guard let value = zmq_msg_gets(frame, ZAPAuthenticator.userIDProperty) else { return nil }
        let bytes = Array(String(cString: value).utf8)
        return bytes.isEmpty ? nil : bytes
    }
}
