import Foundation

/// Who a process is on the wire and whom it trusts: its own CURVE key pair, the key it expects
/// of the servers it connects to, and the client keys its servers accept.
///
/// Servers and clients read `CurveSettings.process` unless handed settings of their own, so a
/// command sets it once from its flags and every socket it opens (its daemon, buffer, parameter
/// service and their clients) follows. Without keys every socket runs ZeroMQ's NULL mechanism,
/// which only loopback, `ipc://` and `inproc://` servers accept unless `insecure` is set.
public struct CurveSettings: Sendable, Equatable {
    /// This process's key pair: a server's key, and the key a client presents.
    public var keys: CurveKeyPair?
    /// The public key of the servers this process connects to; nil: its own public key.
    public var serverKey: CurveKey?
    /// Server keys by endpoint, for services whose key is not `serverKey` (the learner's own
    /// services, when its workers are given another server's key).
    public var endpointKeys: [String: CurveKey] = [:]
    /// Client keys servers accept, besides the server's own (its workers hold it).
    public var allowed: Set<CurveKey> = []
    /// Lets a server without keys bind beyond loopback (its traffic is then plain text).
    public var insecure = false

    /// No keys: the NULL mechanism.
    public init() {}

    /// Whether sockets run CURVE.
    public var isCurve: Bool { keys != nil }

    /// The settings sockets use unless given their own.
    public static var process: CurveSettings {
        get { lock.lock(); defer { lock.unlock() }; return shared }
        set { lock.lock(); defer { lock.unlock() }; shared = newValue }
    }

    /// Notes that a server of this process listens on `endpoint` with `key`, so that clients of
    /// this process (and, through `endpointKeysVariable`, processes it starts) expect that key there.
    public static func register(endpoint: String, key: CurveKey) {
        lock.lock()
        shared.endpointKeys[endpoint] = key
        let text = encode(shared.endpointKeys)
        lock.unlock()
        setenv(endpointKeysVariable, text, 1)
    }

    /// The environment variable that hands `endpointKeys` to child processes.
    public static let endpointKeysVariable = "GYM_ENDPOINT_KEYS"

    /// `endpoint=KEY` pairs separated by spaces, as `endpointKeysVariable` holds them.
    public static func encode(_ keys: [String: CurveKey]) -> String {
        keys.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.z85)" }.joined(separator: " ")
    }

    /// Reads `encode`'s text; malformed pairs are skipped (the variable is only ever written by us).
    public static func decodeEndpointKeys(_ text: String) -> [String: CurveKey] {
        var keys: [String: CurveKey] = [:]
        for pair in text.split(separator: " ").prefix(1024) {
            guard let equals = pair.lastIndex(of: "="), let key = try? CurveKey(z85: String(pair[pair.index(after: equals)...])) else { continue }
            keys[String(pair[..<equals])] = key
        }
        return keys
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var shared = CurveSettings()
}

/// What kind of reach an endpoint has, for the rule that only local servers may run without keys.
public enum EndpointScope {
    /// Whether `endpoint` stays on this host: `inproc://`, `ipc://`, or tcp on a loopback address.
    public static func isLocal(_ endpoint: String) -> Bool {
        if endpoint.hasPrefix("inproc://") || endpoint.hasPrefix("ipc://") { return true }
        guard endpoint.hasPrefix("tcp://") else { return false }
        var host = String(endpoint.dropFirst("tcp://".count))
        // A connect-style "source;destination" pair binds the source.
        if let semicolon = host.firstIndex(of: ";") { host = String(host[..<semicolon]) }
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            return host[host.index(after: host.startIndex)..<close] == "::1"
        }
        if let colon = host.lastIndex(of: ":") { host = String(host[..<colon]) }
        return host == "localhost" || host == "lo" || (host.hasPrefix("127.") && host.allSatisfy { $0 == "." || ("0"..."9").contains($0) })
    }

    /// Whether `endpoint` is in-process (no handshake happens there, so no security mechanism runs).
    public static func isInProcess(_ endpoint: String) -> Bool { endpoint.hasPrefix("inproc://") }
}
