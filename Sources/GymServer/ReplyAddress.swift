/// Where a reply goes: the client, the connection it came over, and whether its request came
/// behind an empty delimiter frame (REQ sockets add one) that the reply must mirror.
public struct ReplyAddress: Sendable {
    /// The requesting client: who owns what it makes (its authenticated identity).
    public let client: ClientID
    /// The routing id of the connection the request came over (where the reply is sent).
    public let routing: [UInt8]
    /// Whether the request had an empty delimiter frame.
    public let delimited: Bool

    /// An address for `client`'s request; `routing` defaults to the client's own bytes (a
    /// daemon without authenticated identities, or a test).
    public init(client: ClientID, routing: [UInt8]? = nil, delimited: Bool) {
        self.client = client
        self.routing = routing ?? client.bytes
        self.delimited = delimited
    }

    /// The frames to send back through the ROUTER socket around `payload`.
    public func frames(_ payload: [UInt8]) -> [[UInt8]] {
        delimited ? [routing, [], payload] : [routing, payload]
    }
}
