import CZMQ
import Foundation
import Logging

/// The ZeroMQ authentication handler (ZAP, ZeroMQ RFC 27) of one context: a REP socket on
/// `inproc://zeromq.zap.01`, served by a thread of its own, that libzmq asks about every new
/// connection to a server socket of domain `gym`.
///
/// CURVE connections are accepted when their client key is allowed (the server's own key always
/// is) and get the key as their user id (`curve:` and its 40 Z85 characters); what a client owns
/// is keyed on it. NULL connections (local servers without keys) are each given a fresh id
/// (`conn:N`), so no client can choose the identity another one's resources are kept under.
/// Every decision is logged: accepted connections at info, rejected keys as warnings with their
/// fingerprint, at most once per key per `rejectionLogInterval`. Nothing a peer sends can stop it.
public final class ZAPAuthenticator: @unchecked Sendable {
    /// The ZAP domain every server socket here sets.
    public static let domain = "gym"
    /// The metadata property a received frame carries the user id in.
    public static let userIDProperty = "User-Id"
    /// Seconds between two warnings about the same rejected key.
    public static let rejectionLogInterval = 10.0

    private let socket: Socket
    private let logger: Logger
    private let lock = NSLock()
    private var allowed: Set<CurveKey> = []
    private var nextConnection: UInt64 = 1
    private var rejections: [String: (last: Double, suppressed: Int)] = [:]

    private init(context: Context, logger: Logger) throws {
        socket = try Socket(context, .rep)
        try socket.bind("inproc://zeromq.zap.01")
        self.logger = logger
    }

    /// The authenticator of `context`, started on first use.
    public static func running(in context: Context, logger: Logger = Logger(label: "gym.auth")) throws -> ZAPAuthenticator {
        registryLock.lock()
        defer { registryLock.unlock() }
        if let existing = registry[ObjectIdentifier(context)] { return existing }
        let authenticator = try ZAPAuthenticator(context: context, logger: logger)
        registry[ObjectIdentifier(context)] = authenticator
        let thread = Thread { authenticator.serve() }
        thread.name = "gym-zap"
        thread.start()
        return authenticator
    }

    /// Adds client keys to those accepted.
    public func allow(_ keys: Set<CurveKey>) {
        lock.lock()
        allowed.formUnion(keys)
        lock.unlock()
    }

    /// Whether `key` is accepted now.
    public func isAllowed(_ key: CurveKey) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return allowed.contains(key)
    }

    private func serve() {
        while true {
            let request: [[UInt8]]
            do {
                request = try socket.receiveMessage()
            } catch let error as ZMQError where error.code == .terminated {
                socket.close()
                return
            } catch {
                continue
            }
            let reply = answer(request)
            do { try socket.send(frames: reply) } catch { logger.debug("ZAP reply not sent: \(error)") }
        }
    }

    /// The reply to one ZAP request: version, request id, status code and text, user id, metadata.
    func answer(_ request: [[UInt8]]) -> [[UInt8]] {
        // version, request id, domain, address, routing id, mechanism, credentials...
        guard request.count >= 6, request[0] == Array("1.0".utf8) else {
            return [Array("1.0".utf8), request.count > 1 ? request[1] : [], Array("500".utf8), Array("malformed ZAP request".utf8), [], []]
        }
        let id = request[1]
        let domain = String(decoding: request[2], as: UTF8.self)
        let address = String(decoding: request[3].prefix(64), as: UTF8.self)
        let mechanism = String(decoding: request[5], as: UTF8.self)
        func reply(_ code: String, _ text: String, user: String = "") -> [[UInt8]] {
            [Array("1.0".utf8), id, Array(code.utf8), Array(text.utf8), Array(user.utf8), []]
        }
        guard domain == Self.domain else { return reply("400", "unknown domain") }
        switch mechanism {
        case "NULL":
            lock.lock()
            let user = "conn:\(nextConnection)"
            nextConnection &+= 1
            lock.unlock()
            logger.info("connection from \(address) without a key, as \(user)")
            return reply("200", "OK", user: user)
        case "CURVE":
            guard request.count == 7, let key = try? CurveKey(raw: request[6]) else { return reply("400", "malformed CURVE credentials") }
            guard isAllowed(key) else {
                noteRejection(key, address: address)
                return reply("400", "key not allowed")
            }
            logger.info("connection from \(address) with key \(key.fingerprint)")
            return reply("200", "OK", user: "curve:" + key.z85)
        default:
            logger.warning("connection from \(address) refused: mechanism \(mechanism.prefix(20)) is not served")
            return reply("400", "mechanism not served")
        }
    }

    private func noteRejection(_ key: CurveKey, address: String) {
        let now = Double(DispatchTime.now().uptimeNanoseconds) / 1e9
        lock.lock()
        if rejections.count > 4096 { rejections.removeAll() }
        let previous = rejections[key.fingerprint]
        let due = previous.map { now - $0.last >= Self.rejectionLogInterval } ?? true
        rejections[key.fingerprint] = due ? (now, 0) : (previous?.last ?? now, (previous?.suppressed ?? 0) + 1)
        lock.unlock()
        guard due else { return }
        let more = (previous?.suppressed ?? 0) > 0 ? " (\(previous?.suppressed ?? 0) more attempt(s) since the last warning)" : ""
        logger.warning("connection from \(address) refused: key \(key.fingerprint) is not in the allowlist\(more)")
    }

    private static let registryLock = NSLock()
    nonisolated(unsafe) private static var registry: [ObjectIdentifier: ZAPAuthenticator] = [:]
}
