import Foundation
import GymCore

/// Writes batches and finished episodes into a recording, inside transactions the recorder
/// commits (`commit()`); an episode's two rows always share one transaction.
public final class EpisodeStore: EpisodeSink {
    /// The open recording.
    public let database: SQLiteDatabase
    /// Transactions committed so far.
    public private(set) var commits = 0
    /// Rows written since the last commit.
    public private(set) var pendingEpisodes = 0
    private var transactionStart: Double?
    /// The daemon's time at which the oldest uncommitted episode ended, nil when none waits.
    public private(set) var oldestPendingEnd: Double?
    private let insertBatch: SQLiteStatement
    private let closeBatch: SQLiteStatement
    private let insertEpisode: SQLiteStatement
    private let insertSteps: SQLiteStatement

    /// Opens (creating if needed) the recording at `path`.
    public init(path: String, source: String) throws {
        database = try RecordingSchema.openForWriting(path: path, source: source)
        insertBatch = try database.prepare("""
            INSERT INTO batches (id, handle, client, env_id, kwargs, num_envs, seed, max_episode_steps, autoreset, make, spec, made,
              run, algorithm, role)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        closeBatch = try database.prepare("UPDATE batches SET closed = ? WHERE id = ?")
        insertEpisode = try database.prepare("""
            INSERT INTO episodes (id, batch_id, env_index, env_id, kwargs, client, max_episode_steps, seed, options, start_kind,
              lineage_id, lineage_index, start_time, end_time, length, return, terminated, truncated, end_kind, run, algorithm, role)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insertSteps = try database.prepare("""
            INSERT INTO steps (episode_id, observation_dtype, observation_shape, action_dtype, action_shape, observations, actions,
              rewards, terminated, truncated, times, infos)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
    }

    /// The next free episode and batch ids, so a recording can be appended to.
    public func nextIDs() throws -> (episode: Int64, batch: Int64) {
        let episode = try database.scalar("SELECT coalesce(max(id), 0) + 1 FROM episodes")?.int ?? 1
        let batch = try database.scalar("SELECT coalesce(max(id), 0) + 1 FROM batches")?.int ?? 1
        return (episode, batch)
    }

    /// Seconds since the open transaction began, nil when none is open.
    public func transactionAge(now: Double) -> Double? { transactionStart.map { now - $0 } }

    private func begin() throws {
        guard transactionStart == nil else { return }
        try database.execute("BEGIN")
        transactionStart = Self.now()
    }

    /// Commits the open transaction, if any.
    public func commit() throws {
        guard transactionStart != nil else { return }
        try database.execute("COMMIT")
        transactionStart = nil
        oldestPendingEnd = nil
        pendingEpisodes = 0
        commits += 1
    }

    /// Commits, then moves the WAL's content into the database file and truncates the WAL, so
    /// the file alone holds the recording.
    public func checkpoint() throws {
        try commit()
        try database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    }

    /// Stores a key of the `recording` table (e.g. the last run's stats) in its own commit.
    public func setFact(_ key: String, _ value: String) throws {
        try commit()
        try database.prepare("INSERT OR REPLACE INTO recording (key, value) VALUES (?, ?)").run([.text(key), .text(value)])
    }

    public func made(_ batch: BatchRecord, seed: UInt64?, make: [UInt8], spec: [UInt8], time: Double) throws {
        try begin()
        try insertBatch.run([
            .integer(batch.id), .integer(Int64(bitPattern: batch.handle)), .text(batch.client), .text(batch.envID),
            .text(batch.kwargsJSON), .integer(Int64(batch.numEnvs)), seed.map { .integer(Int64(bitPattern: $0)) } ?? .null,
            .integer(Int64(batch.maxEpisodeSteps)), .text(Self.name(batch.autoreset)), .blob(make), .blob(spec), .real(time),
        ] + Self.describing(batch))
    }

    public func closed(_ batch: BatchRecord, time: Double) throws {
        try begin()
        try closeBatch.run([.real(time), .integer(batch.id)])
    }

    public func finished(_ episode: EpisodeBuffer) throws {
        try begin()
        let batch = episode.batch
        try insertEpisode.run([
            .integer(episode.id), .integer(batch.id), .integer(Int64(episode.envIndex)), .text(batch.envID), .text(batch.kwargsJSON),
            .text(batch.client), .integer(Int64(batch.maxEpisodeSteps)), episode.seed.map { .integer(Int64(bitPattern: $0)) } ?? .null,
            episode.optionsJSON.map { .text($0) } ?? .null, .text(episode.startKind.rawValue),
            episode.lineageID.map { .integer($0) } ?? .null, episode.lineageIndex.map { .integer(Int64($0)) } ?? .null,
            .real(episode.startTime), .real(episode.endTime), .integer(Int64(episode.length)), .real(episode.totalReward),
            .integer(Int64(episode.terminated.last ?? 0)), .integer(Int64(episode.truncated.last ?? 0)), .text(episode.endKind.rawValue),
        ] + Self.describing(batch))
        try insertSteps.bind([
            .integer(episode.id), .text(batch.observationLayout.dtype), .text(batch.observationLayout.shape),
            .text(batch.actionLayout.dtype), .text(batch.actionLayout.shape),
        ])
        try episode.observations.withUnsafeBytes { try insertSteps.bindBlob(6, $0) }
        try episode.actions.withUnsafeBytes { try insertSteps.bindBlob(7, $0) }
        try episode.rewards.withUnsafeBytes { try insertSteps.bindBlob(8, $0) }
        try episode.terminated.withUnsafeBytes { try insertSteps.bindBlob(9, $0) }
        try episode.truncated.withUnsafeBytes { try insertSteps.bindBlob(10, $0) }
        try episode.times.withUnsafeBytes { try insertSteps.bindBlob(11, $0) }
        if !episode.infos.isEmpty {
            var json = "{"
            for (offset, entry) in episode.infos.enumerated() {
                if offset > 0 { json += "," }
                json += "\"\(entry.t)\":" + ValueJSON.text(entry.info)
            }
            try insertSteps.bindText(12, json + "}")
        }
        while try insertSteps.step() {}
        pendingEpisodes += 1
        if oldestPendingEnd == nil { oldestPendingEnd = episode.endTime }
    }

    /// The run, algorithm and role columns of a batch's rows: each NULL when its maker did not say.
    static func describing(_ batch: BatchRecord) -> [SQLiteValue] {
        guard let maker = batch.maker else { return [.null, .null, .null] }
        func text(_ value: String) -> SQLiteValue { value.isEmpty ? .null : .text(value) }
        return [text(maker.run), text(maker.algorithm), text(maker.role.name ?? "")]
    }

    static func name(_ mode: AutoresetMode) -> String {
        switch mode {
        case .nextStep: return "next_step"
        case .sameStep: return "same_step"
        case .disabled: return "disabled"
        }
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
