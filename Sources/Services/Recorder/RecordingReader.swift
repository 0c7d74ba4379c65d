import Foundation
import GymCore
import GymProtocol

/// Reads a recording (docs/recording.md).
public final class RecordingReader {
    /// The open file.
    public let database: SQLiteDatabase
    /// The columns of a summary; a version-1 file has no runs or roles, read as NULL.
    private let summaryColumns: String
    /// Whether the file records who made each batch (schema version 2 on).
    public let hasDescriptions: Bool

    /// Opens a recording; fails with a clear message when the file is not one.
    public init(path: String) throws {
        database = try RecordingSchema.openForReading(path: path)
        hasDescriptions = try RecordingSchema.hasDescriptions(database)
        summaryColumns = """
            id, batch_id, env_index, env_id, client, seed, start_kind, lineage_id, lineage_index, length, return,
            terminated, truncated, end_kind, max_episode_steps, start_time, end_time, \(hasDescriptions ? "run, algorithm, role" : "NULL, NULL, NULL")
            """
    }

    /// Episodes matching `filter`, by id.
    public func episodes(_ filter: EpisodeFilter = EpisodeFilter()) throws -> [EpisodeSummary] {
        var conditions: [String] = []
        var arguments: [SQLiteValue] = []
        if let env = filter.env { conditions.append("env_id = ?"); arguments.append(.text(env)) }
        if let value = filter.minReturn { conditions.append("return >= ?"); arguments.append(.real(value)) }
        if let value = filter.maxReturn { conditions.append("return <= ?"); arguments.append(.real(value)) }
        if let value = filter.minLength { conditions.append("length >= ?"); arguments.append(.integer(Int64(value))) }
        if let value = filter.maxLength { conditions.append("length <= ?"); arguments.append(.integer(Int64(value))) }
        if let value = filter.run { conditions.append(hasDescriptions ? "run = ?" : "NULL = ?"); arguments.append(.text(value)) }
        if let value = filter.role { conditions.append(hasDescriptions ? "role = ?" : "NULL = ?"); arguments.append(.text(value)) }
        var sql = "SELECT \(summaryColumns) FROM episodes"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY id"
        if let limit = filter.limit { sql += " LIMIT \(limit)" }
        return try reading { try database.rows(sql, arguments).map(summary) }
    }

    /// The episodes of a lineage, by lineage index.
    public func lineage(_ lineageID: Int64) throws -> [EpisodeSummary] {
        try reading {
            try database.rows("SELECT \(summaryColumns) FROM episodes WHERE lineage_id = ? ORDER BY lineage_index", [.integer(lineageID)])
                .map(summary)
        }
    }

    /// One episode with its arrays.
    public func episode(_ id: Int64) throws -> RecordedEpisode {
        try reading { try readEpisode(id) }
    }

    private func readEpisode(_ id: Int64) throws -> RecordedEpisode {
        guard let row = try database.rows("SELECT \(summaryColumns) FROM episodes WHERE id = ?", [.integer(id)]).first else {
            throw GymError(.invalidArgument, "no episode \(id) in \(database.path)")
        }
        let summary = try self.summary(row)
        guard let batch = try database.rows("SELECT make, spec, num_envs FROM batches WHERE id = ?", [.integer(summary.batchID)]).first,
              let steps = try database.rows("""
                SELECT observations, actions, rewards, terminated, truncated, (SELECT options FROM episodes WHERE id = ?)
                FROM steps WHERE episode_id = ?
                """, [.integer(id), .integer(id)]).first
        else { throw RecordingCheck.malformed(database, "episode \(id) has no batch or steps row") }
        let make: Gym_V1_Make
        let spec: EnvSpec
        do {
            make = try Gym_V1_Make(serializedBytes: batch[0].bytes ?? [])
            spec = try Gym_V1_EnvSpec(serializedBytes: batch[1].bytes ?? []).envSpec()
        } catch {
            throw RecordingCheck.malformed(database, "episode \(id)'s batch \(summary.batchID) has no valid make request and spec: \(error)")
        }
        let numEnvs = try RecordingCheck.integer(batch[2], "batch's env count", episode: id, in: database, range: 1...Int64(Int32.max))!
        guard summary.envIndex < numEnvs else {
            throw RecordingCheck.malformed(database, "episode \(id) is env \(summary.envIndex) of a batch of \(numEnvs)")
        }
        let rewardBytes = steps[2].bytes ?? []
        let rewards = rewardBytes.withUnsafeBytes { raw in
            (0..<(raw.count / 8)).map { raw.loadUnaligned(fromByteOffset: $0 * 8, as: Double.self) }
        }
        let options: ValueMap
        do {
            options = try steps[5].text.map(ValueJSON.parse) ?? [:]
        } catch {
            throw RecordingCheck.malformed(database, "episode \(id)'s options are not valid JSON: \(error)")
        }
        let episode = RecordedEpisode(
            summary: summary, make: make, spec: spec, options: options,
            observations: steps[0].bytes ?? [], actions: steps[1].bytes ?? [], rewards: rewards,
            terminated: steps[3].bytes ?? [], truncated: steps[4].bytes ?? [])
        try RecordingCheck.checkArrays(episode, rewardBytes: rewardBytes.count, in: database)
        return episode
    }

    /// Runs a read, naming this file in a SQLite failure (a damaged page, a missing table).
    private func reading<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SQLiteError {
            throw RecordingCheck.malformed(database, error.message)
        }
    }

    /// Facts of the `recording` table.
    public func facts() throws -> [String: String] {
        var facts: [String: String] = [:]
        for row in try reading({ try database.rows("SELECT key, value FROM recording") }) {
            if let key = row[0].text, let value = row[1].text { facts[key] = value }
        }
        return facts
    }

    /// An episode's summary row, every field checked.
    private func summary(_ row: [SQLiteValue]) throws -> EpisodeSummary {
        let db = database
        let id = try RecordingCheck.integer(row[0], "id", episode: nil, in: db)!
        func integer(_ index: Int, _ what: String, optional: Bool = false, range: ClosedRange<Int64> = Int64.min...Int64.max) throws -> Int64? {
            try RecordingCheck.integer(row[index], what, episode: id, in: db, optional: optional, range: range)
        }
        func text(_ index: Int, _ what: String) throws -> String {
            guard let text = row[index].text else {
                throw RecordingCheck.malformed(db, "episode \(id)'s \(what) is \(RecordingCheck.describe(row[index])), not text")
            }
            return text
        }
        func optionalText(_ index: Int, _ what: String) throws -> String? {
            row[index] == .null ? nil : try text(index, what)
        }
        let lineageID = try integer(7, "lineage id", optional: true)
        return EpisodeSummary(
            id: id, batchID: try integer(1, "batch id")!, envIndex: Int(try integer(2, "env index", range: 0...Int64(Int32.max))!),
            envID: try text(3, "env id"), client: try text(4, "client"),
            seed: try integer(5, "seed", optional: true).map { UInt64(bitPattern: $0) }, startKind: try text(6, "start kind"),
            lineageID: lineageID, lineageIndex: try integer(8, "lineage index", optional: lineageID == nil, range: 0...Int64(Int32.max)).map { Int($0) },
            length: Int(try integer(9, "length", range: 0...RecordingCheck.maxLength)!),
            totalReturn: try RecordingCheck.number(row[10], "return", episode: id, in: db),
            terminated: try integer(11, "terminated flag", range: 0...1) == 1, truncated: try integer(12, "truncated flag", range: 0...1) == 1,
            endKind: try text(13, "end kind"), maxEpisodeSteps: Int(try integer(14, "max episode steps", range: 0...Int64(Int32.max))!),
            startTime: try RecordingCheck.number(row[15], "start time", episode: id, in: db),
            endTime: try RecordingCheck.number(row[16], "end time", episode: id, in: db),
            run: try optionalText(17, "run"), algorithm: try optionalText(18, "algorithm"), role: try optionalText(19, "role"))
    }
}
