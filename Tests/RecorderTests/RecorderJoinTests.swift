import ClassicControl
import Foundation
import GymClient
import GymCore
import GymServer
import Recorder
import Testing

/// A recorder that attaches to a running daemon records the batches made before it from their
/// next reset: a seeded one re-simulates bit for bit; an unseeded one is stored without a
/// lineage, since its generators were seeded before the recorder attached.
@Suite(.serialized) struct RecorderJoinTests {
    @Test func batchesMadeBeforeTheRecorderAttachedAreRecordedFromTheirNextReset() throws {
        var registry = EnvRegistry()
        for spec in CartPole.specs() { try registry.register(spec) }
        var configuration = DaemonConfiguration(bind: "tcp://127.0.0.1:*", workers: 2, registry: registry)
        configuration.events = "tcp://127.0.0.1:*"
        let daemon = try Daemon(configuration: configuration)
        try daemon.start()
        defer { daemon.shutdown() }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gym-recorder-join-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }

        // Both batches are made, reset and stepped before any recorder exists.
        let connection = try GymConnection(endpoint: daemon.endpoint, timeout: 10)
        let single = try RemoteEnv(connection: connection, id: "CartPole-v1")
        _ = try single.reset(seed: 3)
        for _ in 0..<5 { _ = try single.step(discrete: 1) }
        let batch = try RemoteVectorEnv(connection: connection, id: "CartPole-v1", count: 2, seed: 9, autoreset: .nextStep)
        _ = try batch.reset()
        for _ in 0..<5 { _ = try batch.step(discrete: [0, 1]) }

        let recorder = try Recorder(configuration: .init(events: try #require(daemon.events?.endpoint), path: path))
        try recorder.start()
        #expect(recorder.waitUntilAttached(timeout: 10))
        // Steps of the episodes already running are not recorded; the next resets are.
        for _ in 0..<3 { _ = try single.step(discrete: 0) }
        func runEpisode(seed: UInt64?) throws -> Int {
            _ = try single.reset(seed: seed)
            var length = 0
            while true {
                length += 1
                let step = try single.step(discrete: Int64(length % 2))
                if step.terminated || step.truncated { return length }
            }
        }
        let seededLength = try runEpisode(seed: 21)
        let continuedLength = try runEpisode(seed: nil)
        _ = try batch.reset()
        for _ in 0..<60 { _ = try batch.step(discrete: [1, 1]) }
        recorder.requestStop()
        recorder.waitForExit()
        let statistics = try #require(recorder.outcome).get()
        #expect(statistics.assembler.batchesJoinedAtReset == 2)

        let reader = try RecordingReader(path: path)
        let episodes = try reader.episodes()
        let seeded = try #require(episodes.first { $0.seed == 21 })
        #expect(seeded.length == seededLength && seeded.lineageID == seeded.id && seeded.lineageIndex == 0)
        let continued = try #require(episodes.first { $0.lineageID == seeded.id && $0.lineageIndex == 1 })
        #expect(continued.length == continuedLength && continued.seed == nil)
        let results = try EpisodeResimulator(connection: connection, reader: reader).verify(lineage: seeded.id, through: 1)
        #expect(results.count == 2)
        let differences = results.compactMap(\.difference)
        #expect(differences.isEmpty, "\(differences)")

        // The unseeded batch: recorded (every env, from the reset), but not re-simulable.
        let others = episodes.filter { $0.batchID != seeded.batchID }
        #expect(Set(others.map(\.envIndex)) == [0, 1])
        #expect(others.contains { $0.startKind == "reset" } && others.contains { $0.startKind == "next_step" })
        #expect(others.allSatisfy { $0.seed == nil && $0.lineageID == nil })
        let stranger = try #require(others.first)
        #expect(throws: GymError.self) { _ = try EpisodeResimulator(connection: connection, reader: reader).verify(episode: stranger.id) }
        try single.close()
        try batch.close()
    }
}
