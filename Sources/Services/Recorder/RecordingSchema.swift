import Foundation
import GymCore

/// The tables of a recording (documented in docs/recording.md) and how a file is opened.
public enum RecordingSchema {
    /// Bumped on any change; stored under `schema_version` in `recording`. Version 2 adds who
    /// made each batch (`run`, `algorithm`, `role` on batches and episodes).
    public static let version = 2
    /// The versions this build opens: a version-1 file reads with no runs or roles, and a
    /// recorder appending to one migrates it to version 2 first.
    public static let readableVersions = ["1", "2"]

    /// The columns version 2 added, on `batches` and on `episodes`: NULL where the client said
    /// nothing of itself (and in every row from before).
    static let describingColumns = ["run", "algorithm", "role"]

    static let tables = """
    CREATE TABLE IF NOT EXISTS recording (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS batches (
      id INTEGER PRIMARY KEY, handle INTEGER NOT NULL, client TEXT NOT NULL, env_id TEXT NOT NULL,
      kwargs TEXT NOT NULL, num_envs INTEGER NOT NULL, seed INTEGER, max_episode_steps INTEGER NOT NULL,
      autoreset TEXT NOT NULL, make BLOB NOT NULL, spec BLOB NOT NULL, made REAL NOT NULL, closed REAL,
      run TEXT, algorithm TEXT, role TEXT);
    CREATE TABLE IF NOT EXISTS episodes (
      id INTEGER PRIMARY KEY, batch_id INTEGER NOT NULL, env_index INTEGER NOT NULL, env_id TEXT NOT NULL,
      kwargs TEXT NOT NULL, client TEXT NOT NULL, max_episode_steps INTEGER NOT NULL, seed INTEGER, options TEXT,
      start_kind TEXT NOT NULL, lineage_id INTEGER, lineage_index INTEGER, start_time REAL NOT NULL,
      end_time REAL NOT NULL, length INTEGER NOT NULL, return REAL NOT NULL, terminated INTEGER NOT NULL,
      truncated INTEGER NOT NULL, end_kind TEXT NOT NULL, run TEXT, algorithm TEXT, role TEXT);
    CREATE TABLE IF NOT EXISTS steps (
      episode_id INTEGER PRIMARY KEY, observation_dtype TEXT NOT NULL, observation_shape TEXT NOT NULL,
      action_dtype TEXT NOT NULL, action_shape TEXT NOT NULL, observations BLOB NOT NULL, actions BLOB NOT NULL,
      rewards BLOB NOT NULL, terminated BLOB NOT NULL, truncated BLOB NOT NULL, times BLOB NOT NULL, infos TEXT);
    CREATE INDEX IF NOT EXISTS episodes_by_env ON episodes(env_id);
    CREATE INDEX IF NOT EXISTS episodes_by_lineage ON episodes(lineage_id, lineage_index);
    """

    /// Opens or creates a recording for writing: WAL journal, tables, schema version checked.
    public static func openForWriting(path: String, source: String) throws -> SQLiteDatabase {
        let database = try SQLiteDatabase(path: path)
        // WAL: readers never block the writer, and a killed writer leaves only whole commits.
        try database.execute("PRAGMA journal_mode=WAL")
        // NORMAL: commits survive a killed process; only a power cut can lose the last ones.
        try database.execute("PRAGMA synchronous=NORMAL")
        try database.execute("PRAGMA wal_autocheckpoint=8192")
        // A large page cache keeps the tables' growing ends in memory instead of re-reading them.
        try database.execute("PRAGMA cache_size=-131072")
        try database.execute(tables)
        try checkVersion(database)
        try migrate(database)
        try database.execute("BEGIN")
        let now = ISO8601DateFormatter().string(from: Date())
        try database.prepare("INSERT OR IGNORE INTO recording (key, value) VALUES ('schema_version', ?), ('created', ?)")
            .run([.text(String(version)), .text(now)])
        try database.prepare("INSERT OR REPLACE INTO recording (key, value) VALUES ('source', ?)").run([.text(source)])
        try database.execute("COMMIT")
        return database
    }

    /// Opens an existing recording for reading: read-only (a recorder may be writing it; the
    /// connection's busy timeout waits out its commits), its schema version and the tables and
    /// columns the reader uses checked.
    public static func openForReading(path: String) throws -> SQLiteDatabase {
        guard FileManager.default.fileExists(atPath: path) else {
            throw SQLiteError(code: 14, message: "no recording at \(path)")
        }
        try RecordingCheck.checkLength(path: path)
        let database = try SQLiteDatabase(path: path, create: false, readOnly: true)
        do {
            try checkVersion(database)
            try RecordingCheck.checkSchema(database)
        } catch let error as SQLiteError {
            throw GymError(.malformed, error.message.contains(path) ? error.message : "\(path): \(error.message)")
        }
        return database
    }

    /// Brings a version-1 recording to version 2 in one transaction: adds the columns it lacks
    /// (old rows get NULL: no description) and the index on runs, then records the version.
    static func migrate(_ database: SQLiteDatabase) throws {
        try database.execute("BEGIN")
        for table in ["batches", "episodes"] {
            let present = Set(try database.rows("SELECT name FROM pragma_table_info(?)", [.text(table)]).compactMap { $0.first?.text })
            for column in describingColumns where !present.contains(column) {
                try database.execute("ALTER TABLE \(table) ADD COLUMN \(column) TEXT")
            }
        }
        try database.execute("CREATE INDEX IF NOT EXISTS episodes_by_run ON episodes(run, role)")
        try database.prepare("UPDATE recording SET value = ? WHERE key = 'schema_version'").run([.text(String(version))])
        try database.execute("COMMIT")
    }

    /// Whether a recording's tables have version 2's description columns.
    static func hasDescriptions(_ database: SQLiteDatabase) throws -> Bool {
        let present = Set(try database.rows("SELECT name FROM pragma_table_info('episodes')").compactMap { $0.first?.text })
        return describingColumns.allSatisfy(present.contains)
    }

    private static func checkVersion(_ database: SQLiteDatabase) throws {
        let hasTable = try database.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'recording'")?.int ?? 0
        guard hasTable > 0 else { throw SQLiteError(code: 26, message: "\(database.path) is not a gym recording (no 'recording' table)") }
        if let stored = try database.scalar("SELECT value FROM recording WHERE key = 'schema_version'")?.text,
           !readableVersions.contains(stored) {
            throw SQLiteError(code: 26, message: "\(database.path) has schema version \(stored); this gym reads versions \(readableVersions.joined(separator: " and "))")
        }
    }
}
