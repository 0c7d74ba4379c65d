import Foundation
import Recorder
import Testing

/// A recorder killed with SIGKILL mid-run leaves a recording that opens, holds only whole
/// episodes, and holds every episode that ended more than a commit interval before the kill.
@Suite(.serialized) struct RecorderCrashTests {
    @Test func aKilledRecorderLeavesOnlyWholeEpisodes() throws {
        let setup = try RecordingSetup(name: "crash", recordArguments: ["--commit-interval", "0.5"])
        defer { setup.tearDown() }
        // The clients step through the kill and stop 1.5 s after it.
        let deadline = Date().addingTimeInterval(3.5)
        let clients = (0..<3).map {
            RandomClient(endpoint: setup.endpoint, kind: .single, seed: UInt64($0) * 1_000_000, steps: .max, deadline: deadline)
        }
        let outcomes = LockedBox<Result<[RandomClient.Outcome], Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread {
            let result = Result { try runConcurrently(clients, reseedEveryEpisode: true) }
            outcomes.update { $0 = result }
            done.signal()
        }.start()
        Thread.sleep(forTimeInterval: 2.0)
        let killTime = Date().timeIntervalSince1970
        kill(setup.record.process.processIdentifier, SIGKILL)
        done.wait()
        let finished = try #require(try outcomes.value?.get())
        setup.record.process.waitUntilExit()
        #expect(setup.record.process.terminationReason == .uncaughtSignal)

        let database = try SQLiteDatabase(path: setup.database, create: false)
        #expect(try database.scalar("PRAGMA integrity_check")?.text == "ok")
        let rows = try database.rows("""
            SELECT e.seed, e.length, length(s.observations), length(s.actions), length(s.rewards), length(s.terminated),
                   length(s.truncated), length(s.times), e.terminated + e.truncated
            FROM episodes e JOIN steps s ON s.episode_id = e.id
            """)
        let episodeCount = try database.scalar("SELECT count(*) FROM episodes")?.int ?? -1
        #expect(Int64(rows.count) == episodeCount, "an episode row without its steps row")
        #expect(rows.count > 0)
        var stored: [UInt64: Int64] = [:]
        for row in rows {
            let length = row[1].int ?? -1
            #expect(row[2].int == (length + 1) * 16 && row[3].int == length * 8 && row[4].int == length * 8)
            #expect(row[5].int == length && row[6].int == length && row[7].int == (length + 1) * 8)
            #expect(row[8].int == 1, "a stored episode that did not end")
            if let seed = row[0].int { stored[UInt64(bitPattern: seed)] = length }
        }
        // Ended at least a commit interval (plus slack for a loaded machine) before the kill: stored.
        let settled = finished.flatMap(\.episodes).filter { $0.endTime < killTime - 1.5 }
        #expect(!settled.isEmpty)
        for episode in settled {
            guard let seed = episode.seed else { continue }
            #expect(stored[seed] == Int64(episode.length), "episode seeded \(seed) ended before the kill but is missing or cut")
        }
        print("killed after \(rows.count) stored episodes; \(settled.count) ended over 1.5 s before the kill, all stored")
    }
}
