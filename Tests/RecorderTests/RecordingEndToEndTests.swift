import Foundation
import GymCore
import Recorder
import Testing

/// `gym serve --events`, `gym record` and `gym replay --verify` as real processes over loopback
/// TCP, with eight clients stepping CartPole at once.
@Suite(.serialized) struct RecordingEndToEndTests {
    /// Env-steps per client; GYM_RECORD_TEST_STEPS=20000 gives the full-size run.
    static let stepsPerClient = ProcessInfo.processInfo.environment["GYM_RECORD_TEST_STEPS"].flatMap { Int($0) } ?? 1500

    @Test func everyEnvStepIsStoredAndEveryEpisodeReplaysBitForBit() throws {
        let setup = try RecordingSetup(name: "e2e")
        defer { setup.tearDown() }
        let steps = Self.stepsPerClient
        let clients = [
            RandomClient(endpoint: setup.endpoint, kind: .single, seed: 11, steps: steps),
            RandomClient(endpoint: setup.endpoint, kind: .single, seed: 12, steps: steps),
            RandomClient(endpoint: setup.endpoint, kind: .single, seed: 13, steps: steps),
            RandomClient(endpoint: setup.endpoint, kind: .single, seed: 14, steps: steps),
            RandomClient(endpoint: setup.endpoint, kind: .batch(count: 4, autoreset: .nextStep), seed: 100, steps: steps),
            RandomClient(endpoint: setup.endpoint, kind: .batch(count: 4, autoreset: .nextStep), seed: 200, steps: steps),
            RandomClient(endpoint: setup.endpoint, kind: .batch(count: 4, autoreset: .sameStep), seed: 300, steps: steps),
            RandomClient(endpoint: setup.endpoint, kind: .batch(count: 2, autoreset: .sameStep), seed: 400, steps: steps),
        ]
        let outcomes = try runConcurrently(clients)
        let clientSteps = outcomes.reduce(0) { $0 + $1.envSteps }
        #expect(setup.record.stop(SIGINT) == 0, "\(setup.record.stderr)")
        let stats = try #require(setup.record.lastJSON, "gym record printed no JSON: \(setup.record.stdout)")
        #expect(stats["env_steps"] as? Int == clientSteps)
        #expect(stats["lost_events"] as? Int == 0)
        #expect(stats["discarded_episodes"] as? Int == 0)
        #expect(stats["skipped_steps"] as? Int == 0)

        let reader = try RecordingReader(path: setup.database)
        let stored = try reader.database.scalar("SELECT SUM(length) + SUM(start_kind = 'next_step') FROM episodes")?.int
        #expect(stored == Int64(clientSteps))
        let episodes = try reader.episodes()
        #expect(episodes.count > 8)
        #expect(episodes.contains { $0.startKind == "next_step" } && episodes.contains { $0.startKind == "same_step" })
        #expect(episodes.contains { $0.seed == nil && $0.lineageIndex ?? 0 > 0 })

        let verify = try gym(["replay", setup.database, "--verify", "--server", setup.endpoint, "--json"],
                             directory: setup.directory, name: "verify")
        #expect(verify.process.terminationStatus == 0, "\(verify.stdout)\n\(verify.stderr)")
        let result = try #require(verify.lastJSON)
        #expect(result["episodes"] as? Int == episodes.count)
        #expect(result["failed"] as? Int == 0)
        print("recorded \(clientSteps) env-steps from 8 clients in \(episodes.count) episodes; stats: \(stats); verify: \(result)")
    }

    @Test func aTamperedEpisodeFailsVerificationAtTheChangedStep() throws {
        let setup = try RecordingSetup(name: "tamper")
        defer { setup.tearDown() }
        _ = try runConcurrently([RandomClient(endpoint: setup.endpoint, kind: .single, seed: 5, steps: 60)])
        #expect(setup.record.stop(SIGINT) == 0)
        let database = try SQLiteDatabase(path: setup.database, create: false)
        let id = try #require(try database.scalar("SELECT id FROM episodes WHERE length >= 5 ORDER BY id")?.int)
        // Flip the action of step 3 (int64 little-endian, 0 <-> 1).
        let actions = try #require(try database.scalar("SELECT actions FROM steps WHERE episode_id = ?", [.integer(id)])?.bytes)
        var changed = actions
        changed[16] ^= 1
        try database.prepare("UPDATE steps SET actions = ? WHERE episode_id = ?").run([.blob(changed), .integer(id)])
        let verify = try gym(["replay", setup.database, "--verify", "--episode", String(id), "--server", setup.endpoint, "--json"],
                             directory: setup.directory, name: "verify")
        #expect(verify.process.terminationStatus == 1)
        let failure = (verify.lastJSON?["failures"] as? [[String: Any]])?.first
        #expect(failure?["episode"] as? Int == Int(id))
        #expect((failure?["difference"] as? String)?.hasPrefix("step 3: observation differs") == true, "\(verify.stdout)")
    }
}
