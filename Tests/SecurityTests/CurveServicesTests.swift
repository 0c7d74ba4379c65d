import Foundation
import BufferService
import GymClient
import GymCore
import GymProtocol
import GymServer
import ParameterService
import Testing
import ZeroMQ

/// The buffer and parameter services with CURVE on: the allowed client is served, the others
/// time out and leave the service serving.
@Suite struct CurveServicesTests {
    @Test func theBufferServesOnlyTheAllowedClient() throws {
        let keys = Keys(), context = try Context()
        let server = BufferServer(bind: "tcp://127.0.0.1:*", service: try BufferService(tables: [], logger: quietLogger),
                                  context: context, logger: quietLogger)
        server.security = keys.serverSettings
        try server.start()
        defer { server.shutdown() }
        let allowed = try BufferClient(endpoint: server.endpoint, timeout: 5, context: context, security: keys.clientSettings(keys.client))
        _ = try allowed.createTable(TableConfig(name: "replay", maxSize: 10))
        for settings in [CurveSettings(), keys.clientSettings(keys.rogue)] {
            do {
                _ = try BufferClient(endpoint: server.endpoint, timeout: 0.5, context: context, security: settings)
                Issue.record("a client that is not allowed was served")
            } catch let error as GymError {
                #expect(error.code == .timedOut, "\(error)")
            }
            #expect(try allowed.tables().map(\.config.name) == ["replay"])
        }
    }

    final class Learner: ParameterLearner {
        func join(name: String) throws -> (index: UInt32, settings: ValueMap) { (7, ["algo": .text("a3c")]) }
        func apply(gradients: [UInt8], from version: UInt64, worker: UInt32, stats: Gym_V1_EpisodeStats) throws -> [UInt8]? { nil }
        func report(worker: UInt32, version: UInt64, stats: Gym_V1_EpisodeStats) {}
    }

    @Test func theParameterServiceServesOnlyTheAllowedWorker() throws {
        let keys = Keys(), context = try Context(), learner = Learner()
        let server = ParameterServer(bind: "tcp://127.0.0.1:*", learner: learner, context: context, logger: quietLogger)
        server.security = keys.serverSettings
        try server.start()
        defer { server.shutdown() }
        let allowed = try ParameterClient(endpoint: server.endpoint, timeout: 5, context: context, security: keys.clientSettings(keys.client))
        #expect(try allowed.join(name: "w").index == 7)
        do {
            let rogue = try ParameterClient(endpoint: server.endpoint, timeout: 0.5, context: context, security: keys.clientSettings(keys.rogue))
            _ = try rogue.join(name: "rogue")
            Issue.record("a worker with an unknown key joined")
        } catch let error as GymError {
            #expect(error.code == .timedOut, "\(error)")
        }
        #expect(try allowed.join(name: "w").index == 7)
    }

    @Test func aServerWithoutKeysRefusesAnAddressOtherHostsReach() throws {
        let context = try Context()
        var configuration = DaemonConfiguration(bind: "tcp://0.0.0.0:0", workers: 1, registry: try classicRegistry())
        configuration.security = CurveSettings()
        let daemon = try Daemon(configuration: configuration, context: context, logger: quietLogger)
        do {
            try daemon.start()
            daemon.shutdown()
            Issue.record("bound 0.0.0.0 without keys")
        } catch let error as CurveError {
            #expect(error.code == .insecureEndpoint)
        }
        let buffer = BufferServer(bind: "tcp://0.0.0.0:0", service: try BufferService(tables: [], logger: quietLogger), context: context, logger: quietLogger)
        buffer.security = CurveSettings()
        #expect(throws: CurveError.self) { try buffer.start() }
        // --insecure lets it bind, loopback never needed it.
        var insecure = CurveSettings()
        insecure.insecure = true
        configuration.security = insecure
        let open = try Daemon(configuration: configuration, context: context, logger: quietLogger)
        try open.start()
        open.shutdown()
        #expect(EndpointScope.isLocal("tcp://127.0.0.1:5555") && EndpointScope.isLocal("ipc:///tmp/x") && EndpointScope.isLocal("tcp://[::1]:1"))
        #expect(!EndpointScope.isLocal("tcp://0.0.0.0:5555") && !EndpointScope.isLocal("tcp://*:5555") && !EndpointScope.isLocal("tcp://127.evil.example:1")
                && !EndpointScope.isLocal("tcp://eth0:5555"))
    }
}
