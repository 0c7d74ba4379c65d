import Foundation
import GymCore
import GymProtocol

/// Checkpoints of a buffer service's tables in a directory: one sub-directory per checkpoint,
/// `checkpoint-<milliseconds since 1970>-<sequence>`, holding one `TableCheckpoint` file per
/// table and, written last, a `MANIFEST` with each file's size and CRC-32 (CheckpointManifest).
///
/// A checkpoint is written under a temporary name and renamed when complete, so a crash while
/// writing never leaves a half checkpoint that a restart would pick up (leftovers of one are
/// removed when the store opens). A restore verifies the manifest and every file against it and
/// falls back to the previous checkpoint when the newest is damaged. The newest few are kept.
public struct CheckpointStore: Sendable {
    /// The directory holding the checkpoints.
    public let directory: URL
    /// How many checkpoints to keep.
    public let keep: Int
    /// Largest table file read at restore, in bytes (a table file is one protobuf message).
    public static let maxTableFileBytes = Int(Int32.max)

    /// A store in `directory` (created when missing); removes the leftovers of a checkpoint
    /// whose writer was killed.
    public init(directory: URL, keep: Int = 3) throws {
        self.directory = directory
        self.keep = max(1, keep)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw GymError(.invalidArgument, "cannot create checkpoint directory \(directory.path): \(error.localizedDescription)")
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names where name.hasPrefix(".partial-checkpoint-") {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
    }

    /// Whether `name` is a checkpoint directory's name: `checkpoint-` then 20 digits, `-`, 6 or more digits.
    static func isCheckpointName(_ name: String) -> Bool {
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 3 && parts[0] == "checkpoint" && parts[1].count == 20 && parts[2].count >= 6
            && parts[1].allSatisfy(\.isASCII) && parts[1].allSatisfy(\.isNumber) && parts[2].allSatisfy(\.isASCII) && parts[2].allSatisfy(\.isNumber)
    }

    /// Checkpoint directories, oldest first (other entries, such as a stray `checkpoint-x` file, are not checkpoints).
    public func checkpoints() -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter(Self.isCheckpointName).sorted().compactMap { name in
            let url = directory.appendingPathComponent(name, isDirectory: true)
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue ? url : nil
        }
    }

    /// Writes `tables` as a new checkpoint and drops the oldest beyond `keep`; returns its path.
    public func write(_ tables: [Gym_V1_TableCheckpoint]) throws -> URL {
        let milliseconds = UInt64(Date().timeIntervalSince1970 * 1000)
        let sequence = (checkpoints().last.flatMap { Int($0.lastPathComponent.split(separator: "-").last ?? "") } ?? 0) + 1
        let name = String(format: "checkpoint-%020llu-%06d", milliseconds, sequence)
        let temporary = directory.appendingPathComponent(".partial-\(name)", isDirectory: true)
        let final = directory.appendingPathComponent(name, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
            var manifest = CheckpointManifest(entries: [])
            for (index, table) in tables.enumerated() {
                let bytes: [UInt8] = try table.serializedBytes()
                let file = String(format: "table-%04d.pb", index)
                try Data(bytes).write(to: temporary.appendingPathComponent(file))
                manifest.entries.append(.init(name: file, size: bytes.count, crc: CheckpointManifest.crc32(bytes)))
            }
            // Last: a checkpoint without its manifest is incomplete, whatever else it holds.
            try Data(manifest.text.utf8).write(to: temporary.appendingPathComponent(CheckpointManifest.fileName))
            try FileManager.default.moveItem(at: temporary, to: final)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw GymError(.internalError, "cannot write checkpoint \(final.path): \(error.localizedDescription)")
        }
        for old in checkpoints().dropLast(keep) { try? FileManager.default.removeItem(at: old) }
        return final
    }

    /// The tables of checkpoint `url`, verified: its manifest, then every file's size and CRC-32
    /// against it, then each file as a `TableCheckpoint`. Throws MALFORMED saying what is wrong.
    public func read(_ url: URL) throws -> [Gym_V1_TableCheckpoint] {
        func bad(_ why: String) -> GymError { GymError(.malformed, "checkpoint \(url.lastPathComponent): \(why)") }
        let manifestURL = url.appendingPathComponent(CheckpointManifest.fileName)
        guard let manifestBytes = try? Self.contents(of: manifestURL, limit: CheckpointManifest.maxBytes) else {
            throw bad("has no readable \(CheckpointManifest.fileName) (incomplete, or written by an older gym)")
        }
        let manifest: CheckpointManifest
        switch CheckpointManifest.parse(manifestBytes) {
        case .success(let parsed): manifest = parsed
        case .failure(let error): throw bad(error.message)
        }
        return try manifest.entries.map { entry in
            guard entry.size <= Self.maxTableFileBytes else { throw bad("\(entry.name) is listed at \(entry.size) bytes, more than a table file has") }
            guard let bytes = try? Self.contents(of: url.appendingPathComponent(entry.name), limit: Self.maxTableFileBytes) else {
                throw bad("\(entry.name) is missing or unreadable")
            }
            guard bytes.count == entry.size else { throw bad("\(entry.name) has \(bytes.count) bytes, the manifest says \(entry.size) (truncated?)") }
            let crc = CheckpointManifest.crc32(bytes)
            guard crc == entry.crc else {
                throw bad("\(entry.name) has CRC-32 \(String(format: "%08x", crc)), the manifest says \(String(format: "%08x", entry.crc)) (corrupted)")
            }
            do {
                return try Gym_V1_TableCheckpoint(serializedBytes: bytes)
            } catch {
                throw bad("\(entry.name) is not a table checkpoint: \(error)")
            }
        }
    }

    /// Restores from the newest checkpoint that verifies (`read`) and that `build` accepts,
    /// trying each older one in turn; `skipped` hears of every checkpoint passed over and why.
    /// Nil when there is no checkpoint; throws when there are some but none is usable.
    public func restoreNewest<T>(skipped: (URL, any Error) -> Void, _ build: ([Gym_V1_TableCheckpoint]) throws -> T) throws -> (url: URL, value: T)? {
        let all = checkpoints()
        guard !all.isEmpty else { return nil }
        var reasons: [String] = []
        for url in all.reversed() {
            do {
                return (url, try build(try read(url)))
            } catch {
                skipped(url, error)
                reasons.append("\(url.lastPathComponent): \(error)")
            }
        }
        throw GymError(.malformed, "none of the \(all.count) checkpoint(s) in \(directory.path) is usable (\(reasons.joined(separator: "; "))); "
                       + "move them away to start with empty tables")
    }

    /// Writes the manifest of the table files directory `checkpoint` holds, as `write` does
    /// last: for tests and the fuzz harness, which build checkpoints by hand.
    package static func seal(_ checkpoint: URL) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: checkpoint.path).filter(CheckpointManifest.isTableFileName).sorted()
        let entries = try names.map { name in
            let bytes = [UInt8](try Data(contentsOf: checkpoint.appendingPathComponent(name)))
            return CheckpointManifest.Entry(name: name, size: bytes.count, crc: CheckpointManifest.crc32(bytes))
        }
        try Data(CheckpointManifest(entries: entries).text.utf8).write(to: checkpoint.appendingPathComponent(CheckpointManifest.fileName))
    }

    /// A file's bytes, refusing one larger than `limit` before reading it.
    private static func contents(of url: URL, limit: Int) throws -> [UInt8] {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        guard size <= UInt64(limit) else { throw GymError(.malformed, "\(url.lastPathComponent) is larger than \(limit) bytes") }
        try handle.seek(toOffset: 0)
        return [UInt8](try handle.readToEnd() ?? Data())
    }
}
