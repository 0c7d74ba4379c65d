/// The routing identity libzmq's ROUTER socket gives each connected client.
public struct ClientID: Hashable, Sendable, CustomStringConvertible {
    /// The identity frame's bytes.
    public let bytes: [UInt8]

    /// Wraps an identity frame.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Hex, for logs.
    public var description: String {
        let hex = "0123456789abcdef".map { $0 }
        return String(bytes.prefix(16).flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 15)]] })
    }
}
