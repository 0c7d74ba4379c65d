import Foundation
import GymTestSupport
import Recorder
import Testing

/// `gym record` killed with SIGKILL while clients flood a block-policy daemon, five times over
/// one recording: each time the file opens, holds only whole episodes, and holds every episode
/// the clients saw end more than one commit interval before the kill.
@Suite(.serialized) struct RecorderCrashTests {
    static let commitInterval = 0.5

    @Test func fiveKillsUnderABlockFloodLoseNoEpisodeOlderThanOneCommitInterval() throws {
        let directory = try scratchDirectory("crash")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let endpoint = "tcp://127.0.0.1:\(freePort())"
        let events = "tcp://127.0.0.1:\(freePort())"
        let database = directory + "/episodes.sqlite"
        let serve = try GymProcess(["serve", "--bind", endpoint, "--events", events, "--events-policy", "block", "--workers", "2"],
                                   directory: directory, name: "serve")
        defer { serve.stop() }
        #expect(serve.waitForLog("listening on"), "\(serve.stderr)")

        // Single-env clients step as fast as they can for the whole test and reseed every
        // episode, so a seed names one episode; a batch client adds to the flood.
        let stop = LockedBox(false)
        let live = LockedBox<[RandomClient.Episode]>([])
        let clients = (1...4).map {
            RandomClient(endpoint: endpoint, kind: .single, seed: UInt64($0) * 1_000_000, steps: .max, stop: stop, live: live)
        } + [RandomClient(endpoint: endpoint, kind: .batch(count: 256, autoreset: .nextStep), seed: 7, steps: .max, stop: stop), RandomClient(endpoint: endpoint, kind: .batch(count: 256, autoreset: .sameStep), seed: 8, steps: .max, stop: stop)]
        let outcomes = LockedBox<Result<[RandomClient.Outcome], Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread {
            let result = Result { try runConcurrently(clients, reseedEveryEpisode: true) }
            outcomes.update { $0 = result }
            done.signal()
        }.start()
        let began = Date().timeIntervalSince1970

        var settledTotal = 0
        var missingTotal = 0
        for kill in 1...5 {
            let record = try GymProcess(["record", "--events", events, "--out", database, "--commit-interval", "\(Self.commitInterval)", "--log-level", "debug"],
                                        directory: directory, name: "record\(kill)")
            #expect(record.waitForLog("attached to the daemon's event stream"), "\(record.stderr)")
            let attachTime = Date().timeIntervalSince1970
            Thread.sleep(forTimeInterval: 1.5 + 0.2 * Double(kill))
            let killTime = Date().timeIntervalSince1970
            Foundation.kill(record.process.processIdentifier, SIGKILL)
            record.process.waitUntilExit()
            #expect(record.process.terminationReason == .uncaughtSignal)

            let file = try SQLiteDatabase(path: database, create: false)
            #expect(try file.scalar("PRAGMA integrity_check")?.text == "ok")
            let rows = try file.rows("""
                SELECT e.seed, e.length, length(s.observations), length(s.actions), length(s.rewards), length(s.terminated),
                       length(s.truncated), length(s.times), e.terminated + e.truncated
                FROM episodes e JOIN steps s ON s.episode_id = e.id
                """)
            #expect(Int64(rows.count) == (try file.scalar("SELECT count(*) FROM episodes")?.int ?? -1), "an episode row without its steps row")
            var stored: [UInt64: Int64] = [:]
            for row in rows {
                let length = row[1].int ?? -1
                #expect(row[2].int == (length + 1) * 16 && row[3].int == length * 8 && row[4].int == length * 8)
                #expect(row[5].int == length && row[6].int == length && row[7].int == (length + 1) * 8)
                #expect(row[8].int == 1, "a stored episode that did not end")
                if let seed = row[0].int { stored[UInt64(bitPattern: seed)] = length }
            }
            let newestEnd = try file.scalar("SELECT max(end_time) FROM episodes")?.double ?? 0
            // Begun after the attach (with slack for a reply in flight) and ended a commit interval before the kill.
            let settled = live.value.filter { $0.startTime > attachTime + 0.2 && $0.endTime < killTime - Self.commitInterval }
            let missing = settled.filter { episode in episode.seed.map { stored[$0] != Int64(episode.length) } ?? false }
            #expect(!settled.isEmpty)
            #expect(missing.isEmpty, "kill \(kill): \(missing.count) of \(settled.count) episodes that ended over \(Self.commitInterval) s before the kill are missing, the oldest \(missing.map { killTime - $0.endTime }.max() ?? 0) s before it")
            settledTotal += settled.count
            missingTotal += missing.count
            let lag = record.stderr.components(separatedBy: "lag reached ").last?.prefix(while: { $0 != " " }) ?? "?"
            print("kill \(kill): recorder lag at most \(lag) s; \(settled.count) episodes ended over \(Self.commitInterval) s before the kill, \(missing.count) missing; newest stored episode ended \(String(format: "%.3f", killTime - newestEnd)) s before the kill; \(rows.count) in the file")
        }
        stop.update { $0 = true }
        done.wait()
        let finished = try #require(try outcomes.value?.get())
        let seconds = Date().timeIntervalSince1970 - began
        let envSteps = finished.reduce(0) { $0 + $1.envSteps }
        print("5 kills: \(settledTotal) settled episodes checked, \(missingTotal) missing; clients: \(live.value.count) single-env episodes (\(Int(Double(live.value.count) / seconds))/s), \(Int(Double(envSteps) / seconds)) env-steps/s in all, commit interval \(Self.commitInterval) s")
    }
}
