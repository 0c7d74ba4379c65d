import Foundation
import GymCore
import GymProtocol

/// Reads a recording (docs/recording.md).
public final class RecordingReader {
    /// The open file.
    public let database: SQLiteDatabase
    private static let summaryColumns = """
        id, batch_id, env_index, env_id, client, seed, start_kind, lineage_id, lineage_index, length, return,
        terminated, truncated, end_kind, max_episode_steps, start_time, end_time
        """

    /// Opens a recording; fails with a clear message when the file is not one.
    public init(path: String) throws {
        database = try RecordingSchema.openForReading(path: path)
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
        var sql = "SELECT \(Self.summaryColumns) FROM episodes"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY id"
        if let limit = filter.limit { sql += " LIMIT \(limit)" }
        return try database.rows(sql, arguments).map(Self.summary)
    }

    /// The episodes of a lineage, by lineage index.
    public func lineage(_ lineageID: Int64) throws -> [EpisodeSummary] {
        try database.rows("SELECT \(Self.summaryColumns) FROM episodes WHERE lineage_id = ? ORDER BY lineage_index", [.integer(lineageID)])
            .map(Self.summary)
    }

    /// One episode with its arrays.
    public func episode(_ id: Int64) throws -> RecordedEpisode {
        guard let row = try database.rows("SELECT \(Self.summaryColumns) FROM episodes WHERE id = ?", [.integer(id)]).first else {
            throw GymError(.invalidArgument, "no episode \(id) in \(database.path)")
        }
        let summary = Self.summary(row)
        guard let batch = try database.rows("SELECT make, spec FROM batches WHERE id = ?", [.integer(summary.batchID)]).first,
              let steps = try database.rows("""
                SELECT observations, actions, rewards, terminated, truncated, (SELECT options FROM episodes WHERE id = ?)
                FROM steps WHERE episode_id = ?
                """, [.integer(id), .integer(id)]).first
        else { throw GymError(.malformed, "episode \(id) has no batch or steps row") }
        let make = try Gym_V1_Make(serializedBytes: batch[0].bytes ?? [])
        let spec = try Gym_V1_EnvSpec(serializedBytes: batch[1].bytes ?? []).envSpec()
        let rewardBytes = steps[2].bytes ?? []
        let rewards = rewardBytes.withUnsafeBytes { raw in
            (0..<(raw.count / 8)).map { raw.loadUnaligned(fromByteOffset: $0 * 8, as: Double.self) }
        }
        return RecordedEpisode(
            summary: summary, make: make, spec: spec, options: try steps[5].text.map(ValueJSON.parse) ?? [:],
            observations: steps[0].bytes ?? [], actions: steps[1].bytes ?? [], rewards: rewards,
            terminated: steps[3].bytes ?? [], truncated: steps[4].bytes ?? [])
    }

    /// Facts of the `recording` table.
    public func facts() throws -> [String: String] {
        var facts: [String: String] = [:]
        for row in try database.rows("SELECT key, value FROM recording") {
            if let key = row[0].text, let value = row[1].text { facts[key] = value }
        }
        return facts
    }

    private static func summary(_ row: [SQLiteValue]) -> EpisodeSummary {
        EpisodeSummary(
            id: row[0].int ?? 0, batchID: row[1].int ?? 0, envIndex: Int(row[2].int ?? 0), envID: row[3].text ?? "",
            client: row[4].text ?? "", seed: row[5].int.map { UInt64(bitPattern: $0) }, startKind: row[6].text ?? "",
            lineageID: row[7].int, lineageIndex: row[8].int.map { Int($0) }, length: Int(row[9].int ?? 0),
            totalReturn: row[10].double ?? 0, terminated: row[11].int == 1, truncated: row[12].int == 1,
            endKind: row[13].text ?? "", maxEpisodeSteps: Int(row[14].int ?? 0), startTime: row[15].double ?? 0,
            endTime: row[16].double ?? 0)
    }
}
