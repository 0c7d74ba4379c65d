import GymCore
import GymProtocol

/// A finished job: the reply to send, and handle bookkeeping the socket thread must do.
public struct Completion: Sendable {
    /// Frames for the ROUTER socket; nil when no reply is due.
    public var frames: [[UInt8]]?
    /// A make that failed: the socket thread forgets the handle it reserved.
    public var abandonedHandle: UInt64?
    /// The error the reply carries, for the daemon's log and counters.
    public var error: GymError?
    /// The client the reply answers (its owner identity, not the routing id), nil when no
    /// reply is due.
    public var client: ClientID?

    /// A completion; `client` is the owner the reply answers.
    public init(frames: [[UInt8]]?, abandonedHandle: UInt64?, error: GymError?, client: ClientID? = nil) {
        self.frames = frames
        self.abandonedHandle = abandonedHandle
        self.error = error
        self.client = client
    }
}
