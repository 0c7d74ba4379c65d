import CZMQ

/// A CURVE key (public or secret): 32 bytes, written as 40 Z85 characters, as libzmq,
/// pyzmq's `zmq.auth` and czmq's certificates write them.
public struct CurveKey: Hashable, Sendable, CustomStringConvertible {
    /// The 40 Z85 characters.
    public let z85: String

    /// Characters of the Z85 alphabet (ZeroMQ RFC 32), in value order.
    static let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#".utf8)
    private static let isZ85: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in alphabet { table[Int(byte)] = true }
        return table
    }()

    /// Validates `text`: exactly 40 Z85 characters (surrounding whitespace ignored).
    public init(z85 text: String) throws {
        let trimmed = text.trimmingWhitespace()
        let bytes = Array(trimmed.utf8)
        guard bytes.count == 40 else {
            throw CurveError(.malformedKey, "a key is 40 Z85 characters, this one has \(bytes.count)")
        }
        if let bad = bytes.firstIndex(where: { !Self.isZ85[Int($0)] }) {
            throw CurveError(.malformedKey, "character \(bad + 1) of the key is not a Z85 character")
        }
        z85 = trimmed
        guard raw.count == 32 else { throw CurveError(.malformedKey, "the key does not decode to 32 bytes") }
    }

    /// Wraps 32 raw bytes.
    public init(raw bytes: [UInt8]) throws {
        guard bytes.count == 32 else { throw CurveError(.malformedKey, "a key is 32 bytes, this one has \(bytes.count)") }
        var text = [CChar](repeating: 0, count: 41)
        guard zmq_z85_encode(&text, bytes, 32) != nil else { throw CurveError(.malformedKey, "the key could not be Z85-encoded") }
        z85 = String(decoding: text.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The 32 raw bytes.
    public var raw: [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 32)
        guard zmq_z85_decode(&bytes, z85) != nil else { return [] }
        return bytes
    }

    /// The first 8 Z85 characters: what logs show of a public key.
    public var fingerprint: String { String(z85.prefix(8)) }

    /// The fingerprint, so a key printed by accident never shows a whole secret.
    public var description: String { fingerprint }
}

/// A CURVE key pair: what a server or a client holds of its own.
public struct CurveKeyPair: Hashable, Sendable {
    /// The key others put in their allowlists, or use as `--server-key`.
    public let publicKey: CurveKey
    /// The key that never leaves its owner.
    public let secretKey: CurveKey

    /// A pair whose public key is checked against the secret one.
    public init(publicKey: CurveKey, secretKey: CurveKey) throws {
        guard Self.derivePublic(secretKey) == publicKey else {
            throw CurveError(.malformedKey, "the public key \(publicKey.fingerprint) does not belong to the secret key")
        }
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// The pair of `secretKey` (its public key is derived).
    public init(secretKey: CurveKey) throws {
        guard let publicKey = Self.derivePublic(secretKey) else {
            throw CurveError(.malformedKey, "no public key could be derived from the secret key")
        }
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// A fresh pair; fails when libzmq was built without CURVE.
    public static func generate() throws -> CurveKeyPair {
        let (publicKey, secretKey) = try Curve.keyPair()
        return try CurveKeyPair(publicKey: CurveKey(z85: String(decoding: publicKey, as: UTF8.self)),
                                secretKey: CurveKey(z85: String(decoding: secretKey, as: UTF8.self)))
    }

    private static func derivePublic(_ secret: CurveKey) -> CurveKey? {
        var text = [CChar](repeating: 0, count: 41)
        guard zmq_curve_public(&text, secret.z85) == 0 else { return nil }
        return try? CurveKey(z85: String(decoding: text.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
