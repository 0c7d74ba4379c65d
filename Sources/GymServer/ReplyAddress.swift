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
