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

    /// Connects and performs the version handshake (which fails on a version mismatch or timeout).
    public init(endpoint: String, timeout: Double = 10, clientName: String = "gym-swift", context: Context = .shared,
                security: CurveSettings? = nil) throws {
        // libzmq's default queue bounds, as this connection has always had: a client that
        // pipelines thousands of steps waits (up to its timeout) instead of queueing without end.
        channel = try ServiceChannel(endpoint: endpoint, timeout: timeout, highWaterMark: nil, context: context, security: security)
        let reply = try call(.hello(.with { $0.protocolVersion = gymProtocolVersion; $0.clientName = clientName }))
        server = reply.hello
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
