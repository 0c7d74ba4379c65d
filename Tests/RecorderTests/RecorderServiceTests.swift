import ClassicControl
import Foundation
import GymClient
import GymCore
import GymServer
import Recorder
import ServiceRuntime
import Testing

/// The recorder as a `GymService`, the shape `gym record` and the other servers share: started
/// on a thread of its own, stopped by `requestStop()`, its statistics in `outcome`.
@Suite struct RecorderServiceTests {
    @Test func aStartedRecorderStoresEpisodesUntilAskedToStop() throws {
        var registry = EnvRegistry()
        for spec in CartPole.specs() { try registry.register(spec) }
        var configuration = DaemonConfiguration(bind: "tcp://127.0.0.1:*", workers: 1, registry: registry)
        configuration.events = "tcp://127.0.0.1:*"
        let daemon = try Daemon(configuration: configuration)
        try daemon.start()
        defer { daemon.shutdown() }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gym-recorder-service-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }

        let recorder = try Recorder(configuration: .init(events: try #require(daemon.events?.endpoint), path: path))
        let service: any GymService = recorder
        try service.start()
        #expect(throws: GymError.self) { try service.start() }
        #expect(recorder.waitUntilAttached(timeout: 10))

        let env = try RemoteEnv(connection: try GymConnection(endpoint: daemon.endpoint), id: "CartPole-v1")
        _ = try env.reset(seed: 4)
        var steps = 0
        while true {
            steps += 1
            let step = try env.step(discrete: Int64(steps % 2))
            if step.terminated || step.truncated { break }
        }
        service.shutdown()

        let statistics = try #require(recorder.outcome).get()
        #expect(statistics.assembler.episodes == 1)
        #expect(statistics.assembler.steps == UInt64(steps))
    }
}
