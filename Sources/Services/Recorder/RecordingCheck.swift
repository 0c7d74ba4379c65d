import Foundation
import GymCore

/// What a recording's reader checks before it trusts a row (issue 13: files are input): every
/// table and column the reader uses exists, every count is an integer in range, and every
/// episode's arrays have exactly the bytes its length and spec call for. A failure is a
/// MALFORMED error naming the file and what is wrong.
enum RecordingCheck {
    /// The columns each table must have for reading (docs/recording.md).
    static let requiredColumns: [(table: String, columns: [String])] = [
        ("recording", ["key", "value"]),
        ("batches", ["id", "make", "spec", "num_envs"]),
        ("episodes", ["id", "batch_id", "env_index", "env_id", "client", "seed", "options", "start_kind", "lineage_id", "lineage_index",
                      "length", "return", "terminated", "truncated", "end_kind", "max_episode_steps", "start_time", "end_time"]),
        ("steps", ["episode_id", "observations", "actions", "rewards", "terminated", "truncated"]),
    ]

    /// The longest episode a recording may claim: far beyond any real one, small enough that
    /// its arrays' sizes cannot overflow.
    static let maxLength: Int64 = 1 << 32

    /// Checks a recording file's SQLite header against its length, which SQLite itself does not:
    /// a file cut short at a page boundary otherwise reads as a smaller, valid recording.
    /// Skipped while a write-ahead log is beside it (its pages may lie there).
    static func checkLength(path: String) throws {
        guard !FileManager.default.fileExists(atPath: path + "-wal") else { return }
        guard let handle = FileHandle(forReadingAtPath: path) else { return }
        defer { try? handle.close() }
        let header = [UInt8]((try? handle.read(upToCount: 100)) ?? Data())
        let size = (try? handle.seekToEnd()) ?? 0
        func bad(_ what: String) -> GymError { GymError(.malformed, "\(path): \(what)") }
        guard header.count == 100, header.starts(with: Array("SQLite format 3\u{0}".utf8)) else {
            throw bad("not a SQLite file (no SQLite header): not a gym recording, or damaged")
        }
        func bigEndian(_ offset: Int, _ count: Int) -> UInt64 { header[offset..<(offset + count)].reduce(0) { $0 << 8 | UInt64($1) } }
        let rawPageSize = bigEndian(16, 2)
        let pageSize = rawPageSize == 1 ? 65536 : rawPageSize
        guard pageSize >= 512, pageSize <= 65536, pageSize & (pageSize - 1) == 0 else { throw bad("has a damaged SQLite header (page size \(rawPageSize))") }
        guard size % pageSize == 0 else { throw bad("is \(size) bytes, not a whole number of its \(pageSize)-byte pages: truncated or damaged") }
        // The header's page count is valid when its version field matches the change counter.
        let pages = bigEndian(28, 4)
        if bigEndian(92, 4) == bigEndian(24, 4), pages > 0, size < pages * pageSize {
            throw bad("is \(size) bytes but its header says \(pages * pageSize): truncated")
        }
    }

    /// Checks that the tables and columns the reader uses exist.
    static func checkSchema(_ database: SQLiteDatabase) throws {
        for (table, columns) in requiredColumns {
            let present = Set(try database.rows("SELECT name FROM pragma_table_info(?)", [.text(table)]).compactMap { $0.first?.text })
            guard !present.isEmpty else { throw malformed(database, "it has no \(table) table: not a gym recording, or damaged") }
            if let missing = columns.first(where: { !present.contains($0) }) {
                throw malformed(database, "table \(table) has no column \(missing): not a gym recording, or damaged")
            }
        }
    }

    static func malformed(_ database: SQLiteDatabase, _ what: String) -> GymError {
        GymError(.malformed, "\(database.path): \(what)")
    }

    /// An integer column, or nil when NULL and `optional`; anything else is malformed.
    static func integer(_ value: SQLiteValue, _ what: String, episode: Int64?, in database: SQLiteDatabase, optional: Bool = false,
                        range: ClosedRange<Int64> = Int64.min...Int64.max) throws -> Int64? {
        if optional, value == .null { return nil }
        guard let integer = value.int, range.contains(integer) else {
            let subject = episode.map { "episode \($0)'s " } ?? ""
            throw malformed(database, "\(subject)\(what) is \(describe(value)), not an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return integer
    }

    /// A number column (an integer or a real).
    static func number(_ value: SQLiteValue, _ what: String, episode: Int64, in database: SQLiteDatabase) throws -> Double {
        guard let number = value.double else { throw malformed(database, "episode \(episode)'s \(what) is \(describe(value)), not a number") }
        return number
    }

    static func describe(_ value: SQLiteValue) -> String {
        switch value {
        case .null: return "NULL"
        case .integer(let integer): return "\(integer)"
        case .real(let real): return "\(real)"
        case .text(let text): return "the text \"\(text.clippedForEcho())\""
        case .blob(let bytes): return "a blob of \(bytes.count) bytes"
        }
    }

    /// Bytes of one value of `space`, or nil when its shape's product overflows.
    static func byteCount(_ space: Space) -> Int? {
        var total = 0
        for leaf in space.leaves {
            var count = leaf.dtype.byteSize
            for dimension in leaf.shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
                guard !overflow, dimension >= 0 else { return nil }
                count = product
            }
            let (sum, overflow) = total.addingReportingOverflow(count)
            guard !overflow else { return nil }
            total = sum
        }
        return total
    }

    /// Checks an episode's arrays against its length and spec.
    static func checkArrays(_ episode: RecordedEpisode, rewardBytes: Int, in database: SQLiteDatabase) throws {
        let id = episode.summary.id
        let length = episode.summary.length
        guard let observationBytes = byteCount(episode.spec.observationSpace), let actionBytes = byteCount(episode.spec.actionSpace) else {
            throw malformed(database, "episode \(id)'s batch has a spec whose spaces no value could fill")
        }
        func expect(_ what: String, _ count: Int, _ items: Int, _ itemBytes: Int) throws {
            let (expected, overflow) = items.multipliedReportingOverflow(by: itemBytes)
            guard !overflow, count == expected else {
                throw malformed(database, "episode \(id)'s \(what) hold \(count) bytes; its length \(length) and spec call for \(overflow ? "more than any file holds" : "\(expected)")")
            }
        }
        try expect("observations", episode.observations.count, length + 1, observationBytes)
        try expect("actions", episode.actions.count, length, actionBytes)
        try expect("rewards", rewardBytes, length, 8)
        try expect("terminated flags", episode.terminated.count, length, 1)
        try expect("truncated flags", episode.truncated.count, length, 1)
    }
}
