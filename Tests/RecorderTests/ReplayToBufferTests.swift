import Foundation
import GymClient
import GymCore
import GymTestSupport
import Recorder
import Testing

/// `gym replay --to-buffer` loads recorded transitions into a live `gym buffer` table.
@Suite(.serialized) struct ReplayToBufferTests {
    @Test func recordedTransitionsArriveInTheTableIntact() throws {
        let setup = try RecordingSetup(name: "to-buffer")
        defer { setup.tearDown() }
        _ = try runConcurrently([RandomClient(endpoint: setup.endpoint, kind: .batch(count: 3, autoreset: .nextStep), seed: 21, steps: 300)])
        #expect(setup.record.stop(SIGINT) == 0)
        let bufferEndpoint = "tcp://127.0.0.1:\(freePort())"
        let buffer = try GymProcess(["buffer", "serve", "--bind", bufferEndpoint], directory: setup.directory, name: "buffer")
        defer { buffer.stop() }
        #expect(buffer.waitForLog("listening on"), "\(buffer.stderr)")

        let load = try gym(["replay", setup.database, "--to-buffer", bufferEndpoint, "--table", "warm", "--json"],
                           directory: setup.directory, name: "load")
        #expect(load.process.terminationStatus == 0, "\(load.stdout)\n\(load.stderr)")
        let reader = try RecordingReader(path: setup.database)
        let stored = try #require(try reader.database.scalar("SELECT SUM(length) FROM episodes")?.int)
        #expect(load.lastJSON?["transitions"] as? Int == Int(stored))
        #expect(load.lastJSON?["table_size"] as? Int == Int(stored))

        // Every sampled item is one of the recorded transitions.
        var recorded = Set<[UInt8]>()
        for summary in try reader.episodes() where summary.length > 0 {
            let episode = try reader.episode(summary.id)
            for t in 0..<summary.length {
                recorded.insert(Array(episode.observations[(t * 16)..<((t + 2) * 16)]) + Array(episode.actions[(t * 8)..<((t + 1) * 8)]))
            }
        }
        let client = try BufferClient(endpoint: bufferEndpoint, timeout: 10)
        let sample = try client.sample(table: "warm", batchSize: 32, timeout: 5)
        let obs = try #require(sample.columns["obs"]), next = try #require(sample.columns["next_obs"]), action = try #require(sample.columns["action"])
        #expect(obs.shape == [32, 4] && action.shape == [32] && sample.columns["reward"]?.dtype == .float64)
        for row in 0..<32 {
            let item = Array(obs.bytes[(row * 16)..<((row + 1) * 16)]) + Array(next.bytes[(row * 16)..<((row + 1) * 16)])
                + Array(action.bytes[(row * 8)..<((row + 1) * 8)])
            #expect(recorded.contains(item))
        }
    }

    @Test func aRecordingOfSeveralEnvironmentsNeedsAnEnvFilter() throws {
        let setup = try RecordingSetup(name: "to-buffer-mixed")
        defer { setup.tearDown() }
        let connection = try GymConnection(endpoint: setup.endpoint, timeout: 10)
        for id in ["CartPole-v1", "Pendulum-v1"] {
            let env = try RemoteEnv(connection: connection, id: id)
            _ = try env.reset(seed: 1)
            _ = try env.step([NDArray(dtype: env.spec.actionSpace.dtype, shape: env.spec.actionSpace.shape,
                                      values: Array(repeating: 0, count: env.spec.actionSpace.elementCount))])
            try env.close()
        }
        #expect(setup.record.stop(SIGINT) == 0)
        let bufferEndpoint = "tcp://127.0.0.1:\(freePort())"
        let buffer = try GymProcess(["buffer", "serve", "--bind", bufferEndpoint], directory: setup.directory, name: "buffer")
        defer { buffer.stop() }
        #expect(buffer.waitForLog("listening on"), "\(buffer.stderr)")
        let load = try gym(["replay", setup.database, "--to-buffer", bufferEndpoint, "--table", "mixed"], directory: setup.directory, name: "load")
        #expect(load.process.terminationStatus != 0)
        #expect(load.stderr.contains("pick one with --env"), "\(load.stderr)")
    }
}
