import Foundation
import GymCore
import GymProtocol
import SwiftProtobuf
import ZeroMQ

/// One client's DEALER connection to a daemon: correlation ids, pipelining, and a timeout on
/// every call, so a dead daemon gives `GymError.Code.timedOut` instead of a hang.
///
/// Use a connection from one thread at a time; open one per thread for concurrency.
public final class GymConnection: @unchecked Sendable {
    /// The daemon's endpoint.
    public let endpoint: String
    /// Seconds a call waits for its reply.
    public var timeout: Double
    /// What the daemon said in the handshake.
    public private(set) var server = Gym_V1_HelloReply()
    private let socket: Socket
    private var nextID: UInt64 = 1
    private var outstanding: Set<UInt64> = []
    private var early: [UInt64: Gym_V1_Response] = [:]
    private var receiveTimeout = -1

    /// Connects and performs the version handshake (which fails on a version mismatch or timeout).
    public init(endpoint: String, timeout: Double = 10, clientName: String = "gym-swift", context: Context = .shared) throws {
        self.endpoint = endpoint
        self.timeout = timeout
        socket = try Socket(context, .dealer)
        try socket.setSendTimeout(milliseconds: Int(timeout * 1000))
        try socket.setReconnectInterval(milliseconds: 50)
        try socket.connect(endpoint)
        let reply = try call(.hello(.with { $0.protocolVersion = gymProtocolVersion; $0.clientName = clientName }))
        server = reply.hello
    }

    /// Sends a request without waiting; returns its id for `receive`.
    public func send(_ body: Gym_V1_Request.OneOf_Body) throws -> UInt64 {
        let id = nextID
        nextID += 1
        let request = Gym_V1_Request.with { $0.id = id; $0.body = body }
        do {
            try socket.send(try request.serializedBytes() as [UInt8])
        } catch let error as ZMQError where error.code == .timedOut {
            throw GymError(.timedOut, "could not send to \(endpoint) within \(timeout) s")
        }
        outstanding.insert(id)
        return id
    }

    /// Waits for the reply to request `id`; an error reply is thrown as its `GymError`.
    public func receive(_ id: UInt64) throws -> Gym_V1_Response {
        defer { outstanding.remove(id) }
        if let response = early.removeValue(forKey: id) { return try checked(response) }
        let start = DispatchTime.now().uptimeNanoseconds
        let budget = UInt64(timeout * 1e9)
        while true {
            let elapsed = DispatchTime.now().uptimeNanoseconds &- start
            guard elapsed < budget else {
                throw GymError(.timedOut, "no reply from \(endpoint) to request \(id) within \(timeout) s")
            }
            // The receive timeout only changes when a wait was cut short by another request's reply.
            try setReceiveTimeout(milliseconds: max(1, Int((budget - elapsed) / 1_000_000)))
            let payload: [UInt8]
            do {
                payload = try socket.receiveMessage().last ?? []
            } catch let error as ZMQError where error.code == .timedOut {
                continue
            }
            guard let response = try? Gym_V1_Response(serializedBytes: payload) else { continue }
            if response.id == id { return try checked(response) }
            // A pipelined request's reply, kept until asked for; stale ones are dropped.
            if outstanding.contains(response.id) { early[response.id] = response }
        }
    }

    private func setReceiveTimeout(milliseconds: Int) throws {
        // Within 5% of the current setting is close enough: skip the option call.
        if abs(milliseconds - receiveTimeout) * 20 <= receiveTimeout { return }
        try socket.setReceiveTimeout(milliseconds: milliseconds)
        receiveTimeout = milliseconds
    }

    /// Sends a request and waits for its reply.
    public func call(_ body: Gym_V1_Request.OneOf_Body) throws -> Gym_V1_Response {
        try receive(try send(body))
    }

    private func checked(_ response: Gym_V1_Response) throws -> Gym_V1_Response {
        if let error = response.gymError { throw error }
        return response
    }

    /// The environments the daemon can make.
    public func listEnvs() throws -> [EnvSpec] {
        try call(.listEnvs(Gym_V1_ListEnvs())).envs.specs.map { try $0.envSpec() }
    }
}
