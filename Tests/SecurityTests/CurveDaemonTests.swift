import Foundation
import GymClient
import GymCore
import GymProtocol
import GymServer
import Testing
import ZeroMQ

/// The daemon with CURVE on, over tcp loopback: who gets served, what the wire shows, and
/// whose environments a client can touch.
@Suite struct CurveDaemonTests {
    @Test func onlyTheAllowedClientIsServedAndTheOthersTimeOut() throws {
        let keys = Keys(), context = try Context()
        let daemon = try startDaemon(security: keys.serverSettings, context: context)
        defer { daemon.shutdown() }
        let allowed = try GymConnection(endpoint: daemon.endpoint, timeout: 5, context: context, security: keys.clientSettings(keys.client))
        let env = try RemoteVectorEnv(connection: allowed, id: "CartPole-v1", count: 2, seed: 3)
        _ = try env.reset()

        let refused: [(String, CurveSettings)] = [
            ("no keys", CurveSettings()),
            ("an unknown key", keys.clientSettings(keys.rogue)),
            ("the wrong server key", keys.clientSettings(keys.client, serverKey: keys.rogue.publicKey)),
        ]
        for (what, settings) in refused {
            let started = Date()
            #expect(throws: GymError.self, "a client with \(what)") {
                _ = try GymConnection(endpoint: daemon.endpoint, timeout: 0.5, context: context, security: settings)
            }
            do {
                _ = try GymConnection(endpoint: daemon.endpoint, timeout: 0.5, context: context, security: settings)
            } catch let error as GymError {
                #expect(error.code == .timedOut, "\(what): \(error)")
            }
            #expect(Date().timeIntervalSince(started) < 5, "\(what): the refusal comes within the client's timeout")
            // The allowed client is served throughout.
            let step = try env.step([NDArray(dtype: .int64, shape: [2], values: [0, 1])])
            #expect(step.observations[0].shape == [2, 4])
        }
    }

    @Test func anEventSubscriberWithoutAKeyReceivesNothing() throws {
        let keys = Keys(), context = try Context()
        let daemon = try startDaemon(security: keys.serverSettings, events: true, context: context)
        defer { daemon.shutdown() }
        let events = try #require(daemon.events?.endpoint)
        func subscriber(_ settings: CurveSettings) throws -> Socket {
            let socket = try Socket(context, .sub)
            try socket.subscribe()
            try socket.secureClient(connecting: events, settings: settings)
            try socket.setReceiveTimeout(milliseconds: 100)
            try socket.connect(events)
            return socket
        }
        let allowed = try subscriber(keys.clientSettings(keys.client))
        let anonymous = try subscriber(CurveSettings())
        let rogue = try subscriber(keys.clientSettings(keys.rogue))
        let connection = try GymConnection(endpoint: daemon.endpoint, timeout: 5, context: context, security: keys.clientSettings(keys.client))
        let env = try RemoteVectorEnv(connection: connection, id: "CartPole-v1", count: 1, seed: 1)
        var received = 0
        // Events flow once a subscriber is attached; keep stepping until the allowed one hears them.
        for _ in 0..<100 where received == 0 {
            _ = try env.reset()
            while (try? allowed.receiveMessage()) != nil { received += 1 }
        }
        #expect(received > 0, "the allowed subscriber hears the events")
        for _ in 0..<5 { _ = try env.step([NDArray(dtype: .int64, shape: [1], values: [1])]) }
        #expect((try? anonymous.receiveMessage()) == nil, "a subscriber without a key hears nothing")
        #expect((try? rogue.receiveMessage()) == nil, "a subscriber with an unknown key hears nothing")
    }

    /// Steps a 1-env CartPole through a recording proxy; returns the bytes on the wire and the
    /// observations the client got.
    private func wireBytes(security server: CurveSettings?, client: CurveSettings, context: Context) throws -> (wire: [UInt8], observations: [[UInt8]]) {
        let daemon = try startDaemon(security: server, context: context)
        defer { daemon.shutdown() }
        let proxy = try RecordingProxy(targetPort: port(of: daemon.endpoint))
        defer { proxy.stop() }
        let connection = try GymConnection(endpoint: "tcp://127.0.0.1:\(proxy.port)", timeout: 5, context: context, security: client)
        let env = try RemoteVectorEnv(connection: connection, id: "CartPole-v1", count: 1, seed: 7)
        var observations = [try env.reset().observations[0].bytes]
        for _ in 0..<20 { observations.append(try env.step([NDArray(dtype: .int64, shape: [1], values: [1])]).observations[0].bytes) }
        return (proxy.bytes, observations)
    }

    @Test func noObservationBytesCrossTheWireWithCurveOn() throws {
        let keys = Keys()
        // Without CURVE the check sees the observations in the clear: it can fail.
        let plain = try wireBytes(security: nil, client: CurveSettings(), context: try Context())
        #expect(plain.observations.allSatisfy { plain.wire.contains(subsequence: $0) }, "plain text carries the observations")
        let secured = try wireBytes(security: keys.serverSettings, client: keys.clientSettings(keys.client), context: try Context())
        #expect(secured.wire.count > 1000, "the recorded traffic is the session's")
        for observation in secured.observations {
            #expect(!secured.wire.contains(subsequence: observation), "observation \(observation) appears on the wire")
        }
        // Not even 8-byte pieces of them (one float pair) show.
        #expect(!secured.observations.contains { secured.wire.contains(subsequence: Array($0.prefix(8))) })
    }

    @Test func aSecondConnectionWithTheSameKeyResumesItsEnvironmentsAndAnotherKeyCannotTouchThem() throws {
        let keys = Keys(), other = try CurveKeyPair.generate(), context = try Context()
        var server = keys.serverSettings
        server.allowed.insert(other.publicKey)
        let daemon = try startDaemon(security: server, context: context)
        defer { daemon.shutdown() }
        var first: GymConnection? = try GymConnection(endpoint: daemon.endpoint, timeout: 5, context: context, security: keys.clientSettings(keys.client))
        let handle = try RemoteVectorEnv(connection: try #require(first), id: "CartPole-v1", count: 1, seed: 1).handle
        first = nil
        let again = try GymConnection(endpoint: daemon.endpoint, timeout: 5, context: context, security: keys.clientSettings(keys.client))
        _ = try again.call(.reset(.with { $0.handle = handle }))
        let intruder = try GymConnection(endpoint: daemon.endpoint, timeout: 5, context: context, security: keys.clientSettings(other))
        do {
            _ = try intruder.call(.reset(.with { $0.handle = handle }))
            Issue.record("another key reset the environment")
        } catch let error as GymError {
            #expect(error.code == .notOwner, "\(error)")
        }
    }
}
