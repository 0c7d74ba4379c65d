import BufferService
import Foundation
import GymCore
import GymProtocol
import Recorder

/// The generator of malformed input files (issue 13, item 3): recordings for `gym replay`,
/// policies for `gym eval`, actions files for `gym rollout --actions-file` and checkpoints for
/// `gym buffer --checkpoint`, each made from a valid file by truncating, flipping bits,
/// overwriting its magic, or (recordings) editing it with SQL into missing tables and columns,
/// garbage rows, wrong blob lengths, absurd counts and text where numbers belong.
///
/// The valid files are the fuzz harnesses' committed seeds (Fuzz/*/corpus/seed-*), so both
/// start from what the project itself writes.
enum MalformedFileCorpus {
    /// One malformed input: its files (relative path → bytes; a checkpoint is a directory of
    /// them), the gym commands run on it (`{}` is the input's path, `{out}` a scratch path),
    /// and whether each must refuse it (exit 1 naming the file) or may also succeed.
    struct Input {
        var name: String
        var files: [String: [UInt8]]
        var commands: [(arguments: [String], mustReject: Bool)]
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func seed(_ target: String, _ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root.appendingPathComponent("Fuzz/\(target)/corpus/seed-\(name)")))
    }

    /// A deterministic stream of positions, for bit flips.
    struct Positions {
        var state: UInt64
        mutating func next(below bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(max(1, bound)))
        }
    }

    /// Truncations, bit flips, a wrong magic and an empty file of `valid`, named after `kind`.
    static func byteDamage(_ kind: String, _ valid: [UInt8], flips: Int, seed: UInt64) -> [(String, [UInt8], Bool)] {
        var damaged: [(String, [UInt8], Bool)] = [("\(kind)-empty", [], true), ("\(kind)-magic", Array("this is not the file you want".utf8) + valid.dropFirst(29), true)]
        for length in Set([1, 7, 8, 100, 1024, valid.count / 2, valid.count - 1]) where length < valid.count {
            damaged.append(("\(kind)-truncated-\(length)", Array(valid.prefix(length)), true))
        }
        var positions = Positions(state: seed)
        for flip in 0..<flips {
            var bytes = valid
            let index = positions.next(below: bytes.count)
            bytes[index] ^= UInt8(1 << (flip % 8))
            // A flipped bit may land where nothing reads it: the file may still be valid.
            damaged.append(("\(kind)-flip-\(index)-\(flip % 8)", bytes, false))
        }
        return damaged
    }

    // MARK: Recordings

    /// SQL that damages a valid recording, each with the commands that must refuse the result:
    /// l(ist), v(erify), r(ender episode 1); the others may also succeed (the damage is where
    /// they do not read, or harmless).
    static let recordingEdits: [(name: String, sql: String, rejects: String)] = [
        ("no-recording-table", "DROP TABLE recording", "lvr"),
        ("no-episodes-table", "DROP TABLE episodes", "lvr"),
        ("no-steps-table", "DROP TABLE steps", "lvr"),
        ("no-batches-table", "DROP TABLE batches", "lvr"),
        ("no-length-column", "DROP INDEX IF EXISTS episodes_by_env; ALTER TABLE episodes DROP COLUMN length", "lvr"),
        ("no-rewards-column", "ALTER TABLE steps DROP COLUMN rewards", "lvr"),
        ("no-spec-column", "ALTER TABLE batches DROP COLUMN spec", "lvr"),
        ("schema-version-99", "UPDATE recording SET value = '99' WHERE key = 'schema_version'", "lvr"),
        ("length-text", "UPDATE episodes SET length = 'many'", "lvr"),
        ("length-nan", "UPDATE episodes SET length = 'NaN'", "lvr"),
        ("length-real", "UPDATE episodes SET length = 2.5", "lvr"),
        ("length-negative", "UPDATE episodes SET length = -5", "lvr"),
        ("length-huge", "UPDATE episodes SET length = 4611686018427387904", "lvr"),
        ("length-longer", "UPDATE episodes SET length = length + 3", "vr"),
        ("return-text", "UPDATE episodes SET return = 'lots'", "lvr"),
        ("id-text", "UPDATE episodes SET env_index = 'first'", "lvr"),
        ("env-index-huge", "UPDATE episodes SET env_index = 1000000", "vr"),
        ("seed-text", "UPDATE episodes SET seed = 'random'", "lvr"),
        ("lineage-index-huge", "UPDATE episodes SET lineage_index = 9223372036854775807", "lvr"),
        ("lineage-missing-start", "UPDATE episodes SET lineage_id = 999999", "vr"),
        ("missing-batch", "UPDATE episodes SET batch_id = 999", "vr"),
        ("no-steps-rows", "DELETE FROM steps", "vr"),
        ("observations-short", "UPDATE steps SET observations = zeroblob(3)", "vr"),
        ("observations-empty", "UPDATE steps SET observations = x''", "vr"),
        ("actions-short", "UPDATE steps SET actions = substr(actions, 1, length(actions) - 1)", "vr"),
        ("rewards-short", "UPDATE steps SET rewards = x'0102'", "vr"),
        ("rewards-long", "UPDATE steps SET rewards = rewards || zeroblob(16)", "vr"),
        ("terminated-empty", "UPDATE steps SET terminated = x''", "vr"),
        ("truncated-text", "UPDATE steps SET truncated = 'no'", "vr"),
        ("observations-text", "UPDATE steps SET observations = 'abc'", "vr"),
        ("observations-huge", "UPDATE steps SET observations = zeroblob(50000000)", "vr"),
        ("options-bad-json", "UPDATE episodes SET options = '{not json'", "vr"),
        ("options-deep-json", "UPDATE episodes SET options = '{\"a\":' || replace(hex(zeroblob(5000)), '00', '[') || '}'", "vr"),
        ("spec-garbage", "UPDATE batches SET spec = x'ffffffff0102'", "vr"),
        ("spec-empty", "UPDATE batches SET spec = x''", "vr"),
        ("make-garbage", "UPDATE batches SET make = x'0a05ffffffff'", "vr"),
        ("num-envs-negative", "UPDATE batches SET num_envs = -1", "vr"),
        ("garbage-row", "INSERT INTO episodes VALUES (77, 1, 'x', 'Nope-v9', 'not json', x'00', 'y', 's', 7, 'kind', 'l', 'i', 'start', 'end', 'len', 'ret', 'ter', 'tru', 'end')", "lv"),
        ("duplicate-rows", "INSERT INTO steps SELECT episode_id + 1000, observation_dtype, observation_shape, action_dtype, action_shape, observations, actions, rewards, terminated, truncated, times, infos FROM steps", ""),
    ]

    /// A spec whose observation space claims more elements than any value could have.
    static func hugeSpec() throws -> [UInt8] {
        var spec = Gym_V1_EnvSpec()
        spec.id = "CartPole-v1"
        spec.observationSpace = .with { $0.box = .with { $0.shape = [1 << 31, 1 << 31, 1 << 31]; $0.dtype = .float32 } }
        spec.actionSpace = .with { $0.discrete = .with { $0.n = 2 } }
        return try spec.serializedBytes()
    }

    static func edit(_ valid: [UInt8], _ sql: String, scratch: URL) throws -> [UInt8] {
        let path = scratch.appendingPathComponent("edit-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        try Data(valid).write(to: URL(fileURLWithPath: path))
        do {
            let database = try SQLiteDatabase(path: path, create: false)
            try database.execute("PRAGMA journal_mode=DELETE")
            try database.execute(sql)
        }
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func recordings(scratch: URL) throws -> [Input] {
        let valid = try seed("RecordingRead", "cartpole")
        func commands(_ rejects: String) -> [([String], Bool)] {
            [(["replay", "{}"], rejects.contains("l")),
             (["replay", "{}", "--verify"], rejects.contains("v")),
             (["replay", "{}", "--episode", "1", "--render", "{out}", "--gif-scale", "4"], rejects.contains("r"))]
        }
        var inputs = byteDamage("recording", valid, flips: 24, seed: 7).map { name, bytes, reject in
            Input(name: name + ".sqlite", files: ["": bytes], commands: commands(reject ? "lvr" : ""))
        }
        for (name, sql, rejects) in recordingEdits {
            inputs.append(Input(name: "recording-\(name).sqlite", files: ["": try edit(valid, sql, scratch: scratch)], commands: commands(rejects)))
        }
        let huge = try hugeSpec().map { String(format: "%02x", $0) }.joined()
        inputs.append(Input(name: "recording-spec-huge-shape.sqlite", files: ["": try edit(valid, "UPDATE batches SET spec = x'\(huge)'", scratch: scratch)],
                            commands: commands("vr")))
        return inputs
    }

    // MARK: Policies, actions files, checkpoints

    static func policies() throws -> [Input] {
        var inputs: [Input] = []
        for kind in ["q-network", "q-table", "categorical"] {
            let valid = try seed("SafeTensorsLoad", kind)
            for (name, bytes, reject) in byteDamage("policy-\(kind)", valid, flips: 8, seed: 11) {
                inputs.append(Input(name: name + ".safetensors", files: ["": bytes],
                                    commands: [(["eval", "--policy", "{}", "--env", "CartPole-v1", "--episodes", "1"], reject)]))
            }
        }
        let header = "{\"0.weight\":{\"dtype\":\"F64\",\"shape\":[2,4],\"data_offsets\":[0,64]}}"
        let wrongDType = [UInt8]([UInt8(header.utf8.count), 0, 0, 0, 0, 0, 0, 0]) + Array(header.utf8) + Array(repeating: 0, count: 64)
        inputs.append(Input(name: "policy-wrong-dtype.safetensors", files: ["": wrongDType],
                            commands: [(["eval", "--policy", "{}", "--episodes", "1"], true)]))
        return inputs
    }

    static let actionTexts: [(String, String, String)] = [
        ("unterminated", "CartPole-v1", "[0, 1,"), ("object", "CartPole-v1", "{\"a\": [0]}"), ("empty", "CartPole-v1", ""),
        ("string", "CartPole-v1", "[\"left\"]"), ("fraction", "CartPole-v1", "[0.5]"), ("nan", "CartPole-v1", "[NaN]"),
        ("huge", "CartPole-v1", "[9.3e18]"), ("overflow", "CartPole-v1", "[1e400]"), ("negative", "CartPole-v1", "[-1]"),
        ("out-of-range", "CartPole-v1", "[7]"), ("null", "CartPole-v1", "[null]"), ("nested", "CartPole-v1", "[[[[0]]]]"),
        ("deep", "CartPole-v1", String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000)),
        ("binary", "CartPole-v1", "\u{0}\u{1}\u{2}\u{ff}"), ("box-short", "Pendulum-v1", "[[]]"), ("box-long", "Pendulum-v1", "[[1, 2, 3]]"),
        ("box-strings", "Pendulum-v1", "[[\"x\"]]"), ("box-nan", "Pendulum-v1", "[[NaN]]"), ("box-inf", "Pendulum-v1", "[[1e999]]"),
    ]

    static func actionFiles() -> [Input] {
        actionTexts.map { name, env, text in
            Input(name: "actions-\(name).json", files: ["": Array(text.utf8)],
                  commands: [(["rollout", "--env", env, "--seed", "0", "--actions-file", "{}"], true)])
        }
    }

    /// Checkpoint directories holding one damaged checkpoint: `gym buffer` must refuse to start.
    static func checkpoints(scratch: URL) throws -> [Input] {
        let tables = ["table-0000.pb": try seed("CheckpointRestore", "one-table-0000.pb"), "table-0001.pb": try seed("CheckpointRestore", "one-table-0001.pb")]
            .mapValues { Array($0.dropFirst(2)) }
        // The valid checkpoint's manifest, made as the service makes it.
        let sealed = scratch.appendingPathComponent("seal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: sealed, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: sealed) }
        for (name, bytes) in tables { try Data(bytes).write(to: sealed.appendingPathComponent(name)) }
        try CheckpointStore.seal(sealed)
        let manifest = [UInt8](try Data(contentsOf: sealed.appendingPathComponent("MANIFEST")))
        let directory = "checkpoint-00000000001700000000-000001/"
        var variants: [(String, [String: [UInt8]])] = [
            ("no-manifest", tables), ("manifest-only", ["MANIFEST": manifest]),
            ("manifest-garbage", tables.merging(["MANIFEST": Array("\u{0}garbage\n".utf8)]) { $1 }),
        ]
        for (name, bytes, _) in byteDamage("table", tables["table-0000.pb"]!, flips: 6, seed: 3) {
            variants.append((name, tables.merging(["table-0000.pb": bytes, "MANIFEST": manifest]) { $1 }))
        }
        for (name, bytes, _) in byteDamage("manifest", manifest, flips: 6, seed: 5) {
            variants.append((name, tables.merging(["MANIFEST": bytes]) { $1 }))
        }
        return variants.map { name, files in
            Input(name: "checkpoint-\(name)", files: Dictionary(uniqueKeysWithValues: files.map { (directory + $0.key, $0.value) }),
                  commands: [(["buffer", "--bind", "tcp://127.0.0.1:*", "--checkpoint", "{}"], true)])
        }
    }

    /// Every malformed input.
    static func all(scratch: URL) throws -> [Input] {
        try recordings(scratch: scratch) + policies() + actionFiles() + checkpoints(scratch: scratch)
    }

    /// Writes `input` under `directory`; returns the path its commands are given.
    static func write(_ input: Input, to directory: URL) throws -> URL {
        let url = directory.appendingPathComponent(input.name)
        for (relative, bytes) in input.files {
            let target = relative.isEmpty ? url : url.appendingPathComponent(relative)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: target)
        }
        return url
    }
}
