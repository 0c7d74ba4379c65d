import Foundation
import GymCore
import GymProtocol
import GymServer
import Testing
import ZeroMQ
#if canImport(Glibc)
import Glibc
#endif

/// A connection that closes (a port probe, a client that quit) frees its descriptor, and the
/// next client's connection may get the same number: the closed one's disconnect must not be
/// taken for the new client's, which would lose it its environments.
@Suite struct DescriptorReuseTests {
    /// Opens a TCP connection to `endpoint` and closes it at once, as a port probe does.
    private func probe(_ endpoint: String) throws {
        let parts = endpoint.split(separator: ":")
        let port = try #require(UInt16(parts.last ?? ""))
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(connected == 0)
    }

    @Test func aClientOnTheDescriptorOfAClosedProbeKeepsItsEnvironments() throws {
        let context = try Context()
        let daemon = try startDaemon(security: nil, context: context)
        defer { daemon.shutdown() }
        for round in 0..<50 {
            for _ in 0..<(1 + round % 4) { try probe(daemon.endpoint) }
            let client = try SpoofedRoutingIDTests.Dealer(daemon.endpoint, routingID: Array("client-\(round)".utf8), context: context)
            let made = try client.call(.make(.with { $0.envID = "CartPole-v1"; $0.numEnvs = 1 }))
            #expect(made.gymError == nil, "\(made)")
            Thread.sleep(forTimeInterval: 0.02)  // the probe's disconnect reaches the daemon
            let reset = try client.call(.reset(.with { $0.handle = made.make.handle }))
            #expect(reset.gymError == nil, "round \(round): \(reset.gymError.map { "\($0.code): \($0.message)" } ?? "")")
        }
    }
}
