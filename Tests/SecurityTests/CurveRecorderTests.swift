import Foundation
import GymClient
import GymCore
import GymServer
import Recorder
import Testing
import ZeroMQ

/// `gym record`'s subscription with CURVE on: an allowed recorder stores the episodes, one
/// without a key never attaches.
@Suite struct CurveRecorderTests {
    @Test func anAllowedRecorderStoresEpisodesAndOneWithoutAKeyNeverAttaches() throws {
        let keys = Keys(), context = try Context()
        let daemon = try startDaemon(security: keys.serverSettings, events: true, context: context)
        defer { daemon.shutdown() }
        let events = try #require(daemon.events?.endpoint)
        func recorder(_ settings: CurveSettings) throws -> (Recorder, String) {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("gym-curve-record-\(UUID().uuidString).sqlite").path
            var configuration = Recorder.Configuration(events: events, path: path)
            configuration.security = settings
            let recorder = try Recorder(configuration: configuration, context: context, logger: quietLogger)
            try recorder.start()
            return (recorder, path)
        }
        let (allowed, allowedPath) = try recorder(keys.clientSettings(keys.client))
        let (anonymous, anonymousPath) = try recorder(CurveSettings())
        defer { for path in [allowedPath, anonymousPath] { try? FileManager.default.removeItem(atPath: path) } }
        #expect(allowed.waitUntilAttached(timeout: 10))
        #expect(!anonymous.waitUntilAttached(timeout: 0.5), "a recorder without a key is never attached")

        let connection = try GymConnection(endpoint: daemon.endpoint, timeout: 5, context: context, security: keys.clientSettings(keys.client))
        let env = try RemoteEnv(connection: connection, id: "CartPole-v1")
        _ = try env.reset(seed: 4)
        var steps = 0
        while true {
            steps += 1
            let step = try env.step(discrete: Int64(steps % 2))
            if step.terminated || step.truncated { break }
        }
        allowed.shutdown()
        anonymous.shutdown()
        let recorded = try #require(allowed.outcome).get()
        #expect(recorded.assembler.episodes == 1 && recorded.assembler.steps == UInt64(steps))
        let nothing = try #require(anonymous.outcome).get()
        #expect(nothing.assembler.episodes == 0 && nothing.assembler.steps == 0)
    }
}
