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

/// Where a reply goes: the client, and whether its request came behind an empty delimiter
/// frame (REQ sockets add one) that the reply must mirror.
public struct ReplyAddress: Sendable {
    /// The requesting client.
    public let client: ClientID
    /// Whether the request had an empty delimiter frame.
    public let delimited: Bool

    /// The frames to send back through the ROUTER socket around `payload`.
    public func frames(_ payload: [UInt8]) -> [[UInt8]] {
        delimited ? [client.bytes, [], payload] : [client.bytes, payload]
    }
}
