/// Who a client is to the daemon: the identity its connection authenticated as (`curve:KEY` with
/// CURVE, a fresh `conn:N` per connection without), or over `inproc://` its routing id.
public struct ClientID: Hashable, Sendable, CustomStringConvertible {
    /// The identity's bytes.
    public let bytes: [UInt8]

    /// Wraps an identity.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// For logs: an authenticated identity as text (a key by its fingerprint), a routing id in hex.
    public var description: String {
        if bytes.count > 5, bytes.allSatisfy({ $0 >= 0x21 && $0 < 0x7f }) {
            return String(decoding: bytes.prefix(bytes.starts(with: Array("curve:".utf8)) ? 14 : 32), as: UTF8.self)
        }
        let hex = "0123456789abcdef".map { $0 }
        return String(bytes.prefix(16).flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 15)]] })
    }
}
