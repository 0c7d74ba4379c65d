import Foundation
import GymCore
import GymProtocol
import GymServer
import SwiftProtobuf
import Testing
import ZeroMQ

/// Without CURVE (a loopback daemon), a client that sets its ZMQ_ROUTING_ID to another
/// client's gets an identity of its own all the same: it can neither act on the victim's
/// environments while the victim is connected nor after it left.
@Suite struct SpoofedRoutingIDTests {
    /// A DEALER with a chosen routing id that speaks the protocol by hand.
    final class Dealer {
        let socket: Socket
        var nextID: UInt64 = 1
        init(_ endpoint: String, routingID: [UInt8], context: Context) throws {
            socket = try Socket(context, .dealer)
            try socket.setRoutingID(routingID)
            try socket.setReceiveTimeout(milliseconds: 1000)
            try socket.connect(endpoint)
        }
        func call(_ body: Gym_V1_Request.OneOf_Body) throws -> Gym_V1_Response {
            let request = Gym_V1_Request.with { $0.id = nextID; $0.body = body }
            nextID += 1
            try socket.send(try request.serializedBytes() as [UInt8])
            return try Gym_V1_Response(serializedBytes: try socket.receiveMessage().last ?? [])
        }
    }

    private func make(_ client: Dealer) throws -> UInt64 {
        let response = try client.call(.make(.with { $0.envID = "CartPole-v1"; $0.numEnvs = 1 }))
        return response.make.handle
    }

    @Test func aSpoofedRoutingIDCannotTouchAConnectedVictimsEnvironments() throws {
        let context = try Context()
        let daemon = try startDaemon(security: nil, context: context)
        defer { daemon.shutdown() }
        let victim = try Dealer(daemon.endpoint, routingID: Array("victim".utf8), context: context)
        let handle = try make(victim)
        #expect(handle > 0)
        let spoof = try Dealer(daemon.endpoint, routingID: Array("victim".utf8), context: context)
        // The daemon either refuses the duplicate connection (no reply) or answers NOT_OWNER.
        if let reply = try? spoof.call(.close(.with { $0.handle = handle })) {
            #expect(reply.gymError?.code == .notOwner, "\(reply)")
        }
        #expect(try victim.call(.reset(.with { $0.handle = handle })).gymError == nil, "the victim's environment is still its own")
    }

    @Test func aSpoofedRoutingIDCannotTouchTheEnvironmentsOfAVictimThatLeft() throws {
        let context = try Context()
        let daemon = try startDaemon(security: nil, context: context)
        defer { daemon.shutdown() }
        var victim: Dealer? = try Dealer(daemon.endpoint, routingID: Array("victim".utf8), context: context)
        let handle = try make(try #require(victim))
        victim = nil
        Thread.sleep(forTimeInterval: 0.2)  // the daemon notices the disconnect
        let spoof = try Dealer(daemon.endpoint, routingID: Array("victim".utf8), context: context)
        let reply = try spoof.call(.reset(.with { $0.handle = handle }))
        // Not the victim's: either its environments were already reclaimed at its disconnect
        // (UNKNOWN_HANDLE) or they are still held for the victim's identity (NOT_OWNER).
        let code = reply.gymError?.code
        #expect(code == .notOwner || (code == .unknownHandle && reply.gymError?.message.contains("reclaimed") == true), "\(reply)")
    }
}
