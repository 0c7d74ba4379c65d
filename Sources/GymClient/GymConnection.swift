import Foundation
import GymCore
import GymProtocol
import SwiftProtobuf
import ZeroMQ

/// One client's DEALER connection to a daemon: correlation ids, pipelining, and a timeout on
/// every call, so a dead daemon gives `GymError.Code.timedOut` instead of a hang.
///
/// The daemon's `ServiceChannel`, plus the version handshake and the daemon's calls by name.
/// Use a connection from one thread at a time; open one per thread for concurrency.
public final class GymConnection: @unchecked Sendable {
    /// The daemon's endpoint.
    public var endpoint: String { channel.endpoint }
    /// Seconds a call waits for its reply.
    public var timeout: Double {
        get { channel.timeout }
        set { channel.timeout = newValue }
    }
    /// What the daemon said in the handshake.
    public private(set) var server = Gym_V1_HelloReply()
    private let channel: ServiceChannel<Gym_V1_Request, Gym_V1_Response>

    /// The name this client gives in its hellos.
    public let clientName: String
    /// What this client last told the daemon about itself (run, algorithm, role), if anything.
    public private(set) var clientDescription: Gym_V1_ClientDescription?

    /// Connects and performs the version handshake (which fails on a version mismatch or timeout),
    /// saying who is stepping when `description` is given.
    public init(endpoint: String, timeout: Double = 10, clientName: String = "gym-swift", description: Gym_V1_ClientDescription? = nil,
                context: Context = .shared, security: CurveSettings? = nil) throws {
        self.clientName = clientName
        // libzmq's default queue bounds, as this connection has always had: a client that
        // pipelines thousands of steps waits (up to its timeout) instead of queueing without end.
        channel = try ServiceChannel(endpoint: endpoint, timeout: timeout, highWaterMark: nil, context: context, security: security)
        server = try hello(description)
    }

    /// Sends another hello with a new description: environments made from now on are recorded
    /// as `description`'s (a trainer switches to `.validate` around its validation episodes).
    public func describe(_ description: Gym_V1_ClientDescription) throws {
        server = try hello(description)
    }

    private func hello(_ description: Gym_V1_ClientDescription?) throws -> Gym_V1_HelloReply {
        let reply = try call(.hello(.with {
            $0.protocolVersion = gymProtocolVersion
            $0.clientName = clientName
            if let description { $0.description_p = description }
        }))
        clientDescription = description
        return reply.hello
    }

    /// Sends a request without waiting; returns its id for `receive`.
    public func send(_ body: Gym_V1_Request.OneOf_Body) throws -> UInt64 {
        try channel.send(Gym_V1_Request.with { $0.body = body })
    }

    /// Waits for the reply to request `id`; an error reply is thrown as its `GymError`.
    public func receive(_ id: UInt64) throws -> Gym_V1_Response {
        try channel.receive(id)
    }

    /// Waits for the reply to step request `id`, read straight into arrays (`StepReplyWire`);
    /// an error reply is thrown as its `GymError`, another body as MALFORMED.
    public func receiveStep(_ id: UInt64) throws -> DecodedStepReply {
        try channel.receive(id, fast: StepReplyWire.decode, slow: DecodedStepReply.init)
    }

    /// Sends a request and waits for its reply.
    public func call(_ body: Gym_V1_Request.OneOf_Body) throws -> Gym_V1_Response {
        try receive(try send(body))
    }

    /// The environments the daemon can make.
    public func listEnvs() throws -> [EnvSpec] {
        try call(.listEnvs(Gym_V1_ListEnvs())).envs.specs.map { try $0.envSpec() }
    }
}
