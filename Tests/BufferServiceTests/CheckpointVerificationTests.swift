import Foundation
import GymCore
import GymProtocol
import GymTestSupport
import Logging
import Testing
@testable import BufferService

/// Checkpoints are verified on restore (issue 13): a manifest written last holds each table
/// file's size and CRC-32; a damaged or incomplete newest checkpoint is logged with why and the
/// one before it restored, never garbage served.
@Suite struct CheckpointVerificationTests {
    /// A store holding two checkpoints of table `t`: the older with 3 items, the newer with 5.
    func twoCheckpoints() throws -> (store: CheckpointStore, older: URL, newer: URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("buffer-verify-\(UUID().uuidString)")
        let store = try CheckpointStore(directory: directory)
        let service = try BufferService(tables: [config("t,selector=prioritized,max-size=16"), config("u,max-size=4")], checkpoints: store)
        _ = try reply(service, items(0, 3, priorities: [1, 2, 3]))
        let older = try service.writeCheckpoint()
        _ = try reply(service, items(3, 2, priorities: [4, 5]))
        let newer = try service.writeCheckpoint()
        return (store, older, newer)
    }

    func restore(_ store: CheckpointStore) throws -> (BufferService, CapturedLog) {
        let log = CapturedLog()
        let service = try BufferService(tables: [], checkpoints: store, logger: Logger(label: "test") { _ in log })
        return (service, log)
    }

    func file(_ checkpoint: URL, _ name: String) -> URL { checkpoint.appendingPathComponent(name) }

    @Test func anIntactCheckpointHasAManifestAndRestoresWhole() throws {
        let (store, _, newer) = try twoCheckpoints()
        defer { try? FileManager.default.removeItem(at: store.directory) }
        let manifest = try String(contentsOf: file(newer, "MANIFEST"), encoding: .utf8)
        #expect(manifest.hasPrefix("gym-buffer-checkpoint 1\ntable-0000.pb "))
        #expect(manifest.hasSuffix("end 2\n"))
        let (service, log) = try restore(store)
        #expect(service.info("t")?.size == 5)
        #expect(log.messages.contains { $0.text.contains("restored \(newer.lastPathComponent)") })
        #expect(!log.messages.contains { $0.level == .error })
    }

    /// Each way of damaging the newest checkpoint, and what the log must say about it.
    static let damages: [(what: String, why: String, damage: @Sendable (URL) throws -> Void)] = [
        ("a truncated table file", "has 10 bytes, the manifest says", { checkpoint in
            let url = checkpoint.appendingPathComponent("table-0000.pb")
            try Data(try Data(contentsOf: url).prefix(10)).write(to: url)
        }),
        ("a flipped bit in a table file", "(corrupted)", { checkpoint in
            let url = checkpoint.appendingPathComponent("table-0000.pb")
            var bytes = [UInt8](try Data(contentsOf: url))
            bytes[bytes.count / 2] ^= 0x10
            try Data(bytes).write(to: url)
        }),
        ("a missing table file", "table-0001.pb is missing", { checkpoint in
            try FileManager.default.removeItem(at: checkpoint.appendingPathComponent("table-0001.pb"))
        }),
        ("no manifest", "has no readable MANIFEST", { checkpoint in
            try FileManager.default.removeItem(at: checkpoint.appendingPathComponent("MANIFEST"))
        }),
        ("a manifest cut short", "written only in part", { checkpoint in
            let url = checkpoint.appendingPathComponent("MANIFEST")
            let text = try String(contentsOf: url, encoding: .utf8)
            try Data(text.utf8.prefix(text.utf8.count - 7)).write(to: url)
        }),
        ("an empty manifest", "does not start with", { checkpoint in
            try Data().write(to: checkpoint.appendingPathComponent("MANIFEST"))
        }),
        ("a manifest whose size is spelled otherwise", "malformed line", { checkpoint in
            // A leading zero reads as the same number, but no writer of this format makes it.
            let url = checkpoint.appendingPathComponent("MANIFEST")
            var lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
            var fields = lines[1].split(separator: " ").map(String.init)
            fields[1] = "0" + fields[1]
            lines[1] = fields.joined(separator: " ")
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
        }),
        ("a manifest naming a path", "malformed line", { checkpoint in
            let url = checkpoint.appendingPathComponent("MANIFEST")
            let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "table-0001.pb", with: "../../etc/passwd")
            try Data(text.utf8).write(to: url)
        }),
        ("a table whose checksums match but whose items do not fit it", "inconsistent", { checkpoint in
            // A writer's bug rather than damage: the file is whole, its contents are not a table.
            let url = checkpoint.appendingPathComponent("table-0000.pb")
            var table = try Gym_V1_TableCheckpoint(serializedBytes: [UInt8](try Data(contentsOf: url)))
            table.keys.removeFirst()
            try Data(try table.serializedBytes() as [UInt8]).write(to: url)
            try CheckpointStore.seal(checkpoint)
        }),
    ]

    @Test(arguments: damages.indices)
    func aDamagedNewestCheckpointFallsBackToTheOneBefore(index: Int) throws {
        let damage = Self.damages[index]
        let (store, older, newer) = try twoCheckpoints()
        defer { try? FileManager.default.removeItem(at: store.directory) }
        try damage.damage(newer)
        let (service, log) = try restore(store)
        #expect(service.info("t")?.size == 3, "\(damage.what)")
        #expect(service.info("u")?.size == 0, "\(damage.what)")
        let errors = log.messages.filter { $0.level == .error }.map(\.text)
        #expect(errors.count == 1 && errors[0].contains(newer.lastPathComponent) && errors[0].contains("trying the one before"), "\(damage.what): \(errors)")
        #expect(errors.first?.contains(damage.why) == true, "\(damage.what): \(errors)")
        #expect(log.messages.contains { $0.text.contains("restored \(older.lastPathComponent)") }, "\(damage.what)")
        // What it serves is the older checkpoint's items, exactly.
        #expect(ReplayTableAccess.checkpoint(service, "t")?.keys == [0, 1, 2])
    }

    @Test func noUsableCheckpointIsAnErrorNotAnEmptyStart() throws {
        let (store, older, newer) = try twoCheckpoints()
        defer { try? FileManager.default.removeItem(at: store.directory) }
        for checkpoint in [older, newer] { try FileManager.default.removeItem(at: file(checkpoint, "MANIFEST")) }
        let error = try #require(throws: GymError.self) { try restore(store) }
        #expect(error.code == .malformed)
        #expect(error.message.contains("none of the 2 checkpoint(s)") && error.message.contains(older.lastPathComponent))
    }

    @Test func strayEntriesAndHalfWrittenCheckpointsAreNotCheckpoints() throws {
        let (store, _, newer) = try twoCheckpoints()
        defer { try? FileManager.default.removeItem(at: store.directory) }
        // A stray file named like a checkpoint, a later-sorting directory of another name, and
        // the leftovers of a writer killed mid-checkpoint.
        try Data("x".utf8).write(to: store.directory.appendingPathComponent("checkpoint-99999999999999999999-999999"))
        try FileManager.default.createDirectory(at: store.directory.appendingPathComponent("checkpoint-zzz"), withIntermediateDirectories: true)
        let partial = store.directory.appendingPathComponent(".partial-checkpoint-99999999999999999998-000009")
        try FileManager.default.createDirectory(at: partial, withIntermediateDirectories: true)
        let reopened = try CheckpointStore(directory: store.directory)
        #expect(!FileManager.default.fileExists(atPath: partial.path))
        #expect(reopened.checkpoints().last == newer)
        let (service, _) = try restore(reopened)
        #expect(service.info("t")?.size == 5)
    }

    @Test func aBackgroundCheckpointWritesWhatTheTablesHeldWhenItStarted() throws {
        let (store, _, _) = try twoCheckpoints()
        defer { try? FileManager.default.removeItem(at: store.directory) }
        let (service, _) = try restore(store)
        service.startCheckpoint()
        // Items inserted while it is written are not in it.
        _ = try reply(service, items(5, 4, priorities: [1, 1, 1, 1]))
        service.waitForCheckpoints()
        let (restored, _) = try restore(store)
        #expect(restored.info("t")?.size == 5)
    }
}
