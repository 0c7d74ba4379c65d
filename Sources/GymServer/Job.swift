import GymCore
import GymProtocol

/// Work for the worker thread that owns a handle's environments.
public struct Job: Sendable {
    /// What to do.
    public enum Kind: Sendable {
        case make(Gym_V1_Make)
        case reset(Gym_V1_Reset)
        case step(Gym_V1_Step)
        case render(Gym_V1_Render)
        /// Closing for a client's request (with a reply) or for reclaiming (without).
        case close(reply: Bool)
    }

    /// The environment batch the job is about.
    public let handle: UInt64
    /// The request's correlation id.
    public let requestID: UInt64
    /// Where the reply goes; nil for jobs nobody waits for.
    public let replyTo: ReplyAddress?
    /// The work.
    public let kind: Kind
    /// For a make: the description the client's latest hello gave, which the batch's events carry.
    public var clientDescription: Gym_V1_ClientDescription? = nil
}
