import ClassicControl
import Foundation
import GymClient
import GymCore
import GymServer
import Recorder
import Testing

/// What the recorder holds and what it leaves behind: running episodes bounded by a cap (the
/// dropped ones counted), the WAL folded into the file on a clean stop.
@Suite struct RecorderLimitsTests {
    @Test func theRunningEpisodesStayUnderTheCapAndEveryDroppedOneIsCounted() throws {
        let source = try EventSource()
        try source.make(count: 8, autoreset: .nextStep)
        try source.randomSteps(400, count: 8)
        let unbounded = EpisodeAssembler(sink: CollectingSink())
        let sink = CollectingSink()
        // Eight CartPole episodes of ~20 steps hold about 7 KB; cap them at 3 KB.
        let capped = EpisodeAssembler(sink: sink, maxBufferedBytes: 3000)
        for event in source.events {
            try unbounded.consume(event)
            try capped.consume(event)
            #expect(capped.counters.bufferedBytes <= 3000)
        }
        try unbounded.finishRunning()
        try capped.finishRunning()
        let counters = capped.counters
        #expect(counters.cappedEpisodes > 0)
        #expect(counters.droppedEpisodes == counters.cappedEpisodes)
        // Every episode is either stored or counted as dropped.
        #expect(counters.episodes + counters.cappedEpisodes == unbounded.counters.episodes)
        #expect(counters.bufferedBytes == 0 && unbounded.counters.bufferedBytes == 0)
        #expect(counters.peakBufferedBytes > 0 && unbounded.counters.peakBufferedBytes > 3000)
        // Stored episodes are whole, and a capped episode breaks no stored one.
        for episode in sink.episodes {
            #expect(episode.observations.count == (episode.length + 1) * 16 && episode.actions.count == episode.length * 8)
        }
    }

    @Test func aCleanStopLeavesTheWholeRecordingInTheMainFile() throws {
        var registry = EnvRegistry()
        for spec in CartPole.specs() { try registry.register(spec) }
        var configuration = DaemonConfiguration(bind: "tcp://127.0.0.1:*", workers: 1, registry: registry)
        configuration.events = "tcp://127.0.0.1:*"
        let daemon = try Daemon(configuration: configuration)
        try daemon.start()
        defer { daemon.shutdown() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gym-recorder-wal-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/episodes.sqlite"

        let recorder = try Recorder(configuration: .init(events: try #require(daemon.events?.endpoint), path: path))
        try recorder.start()
        #expect(recorder.waitUntilAttached(timeout: 10))
        let envs = try RemoteVectorEnv(connection: try GymConnection(endpoint: daemon.endpoint), id: "CartPole-v1", count: 4, seed: 1)
        _ = try envs.reset()
        for _ in 0..<200 { _ = try envs.step(discrete: [0, 1, 1, 0]) }
        recorder.requestStop()
        recorder.waitForExit()
        let statistics = try #require(recorder.outcome).get()
        #expect(statistics.assembler.episodes > 10)

        let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        #expect(wal == 0, "the -wal file still holds \(wal) bytes after a clean stop")
        // The .sqlite alone, copied away from its -wal and -shm, is the whole recording.
        let copy = directory + "/copy.sqlite"
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        let reader = try RecordingReader(path: copy)
        #expect(try reader.episodes().count == Int(statistics.assembler.episodes))
        #expect(try reader.facts()["stats"]?.contains("\"dropped_episodes\": 0") == true)
    }
}
