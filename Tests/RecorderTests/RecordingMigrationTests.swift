import Foundation
import GymCore
import Recorder
import Testing

/// Recordings made before clients described themselves (schema version 1) still open: readers
/// see no runs or roles, and a recorder appending to one migrates it to version 2 in place.
@Suite struct RecordingMigrationTests {
    /// The version-1 tables, as the first recorders created them.
    static let versionOneTables = """
    CREATE TABLE recording (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE batches (
      id INTEGER PRIMARY KEY, handle INTEGER NOT NULL, client TEXT NOT NULL, env_id TEXT NOT NULL,
      kwargs TEXT NOT NULL, num_envs INTEGER NOT NULL, seed INTEGER, max_episode_steps INTEGER NOT NULL,
      autoreset TEXT NOT NULL, make BLOB NOT NULL, spec BLOB NOT NULL, made REAL NOT NULL, closed REAL);
    CREATE TABLE episodes (
      id INTEGER PRIMARY KEY, batch_id INTEGER NOT NULL, env_index INTEGER NOT NULL, env_id TEXT NOT NULL,
      kwargs TEXT NOT NULL, client TEXT NOT NULL, max_episode_steps INTEGER NOT NULL, seed INTEGER, options TEXT,
      start_kind TEXT NOT NULL, lineage_id INTEGER, lineage_index INTEGER, start_time REAL NOT NULL,
      end_time REAL NOT NULL, length INTEGER NOT NULL, return REAL NOT NULL, terminated INTEGER NOT NULL,
      truncated INTEGER NOT NULL, end_kind TEXT NOT NULL);
    CREATE TABLE steps (
      episode_id INTEGER PRIMARY KEY, observation_dtype TEXT NOT NULL, observation_shape TEXT NOT NULL,
      action_dtype TEXT NOT NULL, action_shape TEXT NOT NULL, observations BLOB NOT NULL, actions BLOB NOT NULL,
      rewards BLOB NOT NULL, terminated BLOB NOT NULL, truncated BLOB NOT NULL, times BLOB NOT NULL, infos TEXT);
    INSERT INTO recording VALUES ('schema_version', '1'), ('created', '2026-11-01T00:00:00Z');
    INSERT INTO episodes VALUES (1, 1, 0, 'CartPole-v1', '{}', 'c0ffee', 500, 7, NULL, 'reset', NULL, NULL,
      1.0, 2.0, 12, 12.0, 1, 0, 'terminated');
    """

    static func versionOneFile() throws -> String {
        let path = NSTemporaryDirectory() + "gym-recording-v1-\(UUID().uuidString).sqlite"
        let database = try SQLiteDatabase(path: path)
        try database.execute(versionOneTables)
        return path
    }

    @Test func aVersionOneRecordingReadsWithoutRunsAndFiltersToNothing() throws {
        let path = try Self.versionOneFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try RecordingReader(path: path)
        #expect(!reader.hasDescriptions)
        let episodes = try reader.episodes()
        #expect(episodes.count == 1)
        #expect(episodes.first?.length == 12 && episodes.first?.run == nil && episodes.first?.role == nil)
        var filter = EpisodeFilter()
        filter.run = "anything"
        #expect(try reader.episodes(filter).isEmpty)
    }

    @Test func aRecorderAppendingToVersionOneMigratesItKeepingItsEpisodes() throws {
        let path = try Self.versionOneFile()
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let store = try EpisodeStore(path: path, source: "tcp://127.0.0.1:5556")
        #expect(try store.database.scalar("SELECT value FROM recording WHERE key = 'schema_version'")?.text == "2")
        for table in ["batches", "episodes"] {
            let columns = try store.database.rows("SELECT name FROM pragma_table_info(?)", [.text(table)]).compactMap { $0.first?.text }
            #expect(["run", "algorithm", "role"].allSatisfy(columns.contains), "\(table): \(columns)")
        }
        // Opening again finds nothing left to migrate.
        _ = try EpisodeStore(path: path, source: "tcp://127.0.0.1:5556")
        try store.checkpoint()
        let reader = try RecordingReader(path: path)
        #expect(reader.hasDescriptions)
        let episodes = try reader.episodes()
        #expect(episodes.map(\.id) == [1] && episodes.first?.run == nil && episodes.first?.totalReturn == 12)
    }

    @Test func aRecordingOfAnUnknownVersionIsRefusedNamingTheVersions() throws {
        let path = try Self.versionOneFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try SQLiteDatabase(path: path).execute("UPDATE recording SET value = '3' WHERE key = 'schema_version'")
        #expect { try RecordingReader(path: path) } throws: { "\($0)".contains("schema version 3") && "\($0)".contains("1 and 2") }
    }
}
