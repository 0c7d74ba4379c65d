import Foundation
import GymCore
import GymProtocol

/// Checkpoints of a buffer service's tables in a directory: one sub-directory per checkpoint,
/// `checkpoint-<milliseconds since 1970>-<sequence>`, holding one `TableCheckpoint` file per table.
///
/// A checkpoint is written under a temporary name and renamed when complete, so a crash while
/// writing never leaves a half checkpoint that a restart would pick up. The newest few are kept.
public struct CheckpointStore: Sendable {
    /// The directory holding the checkpoints.
    public let directory: URL
    /// How many checkpoints to keep.
    public let keep: Int

    /// A store in `directory` (created when missing).
    public init(directory: URL, keep: Int = 3) throws {
        self.directory = directory
        self.keep = max(1, keep)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw GymError(.invalidArgument, "cannot create checkpoint directory \(directory.path): \(error.localizedDescription)")
        }
    }

    /// Complete checkpoints, oldest first.
    public func checkpoints() -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasPrefix("checkpoint-") }.sorted().map { directory.appendingPathComponent($0, isDirectory: true) }
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
            for (index, table) in tables.enumerated() {
                let bytes: [UInt8] = try table.serializedBytes()
                try Data(bytes).write(to: temporary.appendingPathComponent(String(format: "table-%04d.pb", index)))
            }
            try FileManager.default.moveItem(at: temporary, to: final)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw GymError(.internalError, "cannot write checkpoint \(final.path): \(error.localizedDescription)")
        }
        for old in checkpoints().dropLast(keep) { try? FileManager.default.removeItem(at: old) }
        return final
    }

    /// The tables of the newest checkpoint, or nil when there is none.
    public func newest() throws -> (url: URL, tables: [Gym_V1_TableCheckpoint])? {
        guard let url = checkpoints().last else { return nil }
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).filter { $0.hasSuffix(".pb") }.sorted()
        do {
            let tables = try files.map { try Gym_V1_TableCheckpoint(serializedBytes: [UInt8](Data(contentsOf: url.appendingPathComponent($0)))) }
            return (url, tables)
        } catch {
            throw GymError(.malformed, "cannot read checkpoint \(url.path): \(error)")
        }
    }
}
