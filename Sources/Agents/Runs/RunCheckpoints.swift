import Foundation
import NeuralNet

/// What a checkpoint says about itself before any part is restored.
public struct CheckpointHeader: Codable, Sendable, Equatable {
    /// The layout's name.
    public var format: String
    /// The algorithm (`dqn`, `ppo`, ...).
    public var algo: String
    /// The environment id.
    public var env: String
    /// The run's seed, in decimal (JSON readers lose large integers).
    public var seed: String
    /// Environment steps done when it was written.
    public var step: Int
    /// Whether the replay buffer is in it.
    public var replay: Bool
    /// The run's name; nil in checkpoints written before runs had names.
    public var run: String? = nil

    private enum CodingKeys: String, CodingKey { case format, algo, env, seed, step, replay, run }
}

/// A checkpoint read back from disk, checked for size and layout (the parts check their own contents).
public struct LoadedCheckpoint {
    /// Its directory.
    public let directory: URL
    /// Its header.
    public let header: CheckpointHeader
    /// The run's hyperparameters as saved (`arguments.json`, the Arguments' Codable form).
    public let arguments: Data
    /// `state.json` as read.
    let manifest: Data
    /// `state.safetensors` as read.
    let tensors: [String: Tensor]

    /// The run's seed.
    public var seed: UInt64? { UInt64(header.seed) }
}

/// A run's checkpoints on disk, each written atomically:
///
/// ```
/// RUN/checkpoints/step-000000001000/state.json         header, then every part's values
///                                   state.safetensors  every part's tensors, `part/name`
///                                   arguments.json     the Arguments (Codable, snake_case keys)
/// RUN/checkpoints/latest                               the newest one's name
/// ```
///
/// A checkpoint is written into a hidden temporary directory, renamed into place, and only
/// then named in `latest` (itself replaced by rename), so a crash at any point leaves the
/// previous checkpoint whole. The two newest are kept.
public enum RunCheckpoints {
    /// The current layout's name.
    public static let format = "gym-checkpoint-v1"
    /// Checkpoints kept in a run directory.
    static let kept = 2
    /// Largest `state.json` and `arguments.json` read.
    static let maxJSONBytes = 256 << 20
    /// Largest `state.safetensors` read (a full replay buffer of big observations).
    static let maxTensorBytes = 32 << 30

    /// Where a run directory keeps its checkpoints.
    public static func checkpoints(in run: URL) -> URL { run.appendingPathComponent("checkpoints", isDirectory: true) }

    /// Writes a checkpoint of `state` at `header.step` under `run`, returning its directory.
    static func write(header: CheckpointHeader, state: RunState, arguments: Data, into run: URL) throws(AgentError) -> URL {
        let root = checkpoints(in: run)
        let name = String(format: "step-%012d", header.step)
        let final = root.appendingPathComponent(name, isDirectory: true)
        let temporary = root.appendingPathComponent(".\(name).tmp-\(ProcessInfo.processInfo.processIdentifier)", isDirectory: true)
        let files = FileManager.default
        do {
            let (values, tensors) = try state.save()
            struct Manifest: Encodable {
                let header: CheckpointHeader
                let values: RunState.Values
                func encode(to encoder: any Encoder) throws {
                    try header.encode(to: encoder)
                    var container = encoder.container(keyedBy: RunState.PartKey.self)
                    try container.encode(values, forKey: RunState.PartKey("values"))
                }
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let manifest = try encoder.encode(Manifest(header: header, values: values))
            try files.createDirectory(at: root, withIntermediateDirectories: true)
            try? files.removeItem(at: temporary)
            try files.createDirectory(at: temporary, withIntermediateDirectories: false)
            try SafeTensors.save(tensors, metadata: ["format": format], to: temporary.appendingPathComponent("state.safetensors"))
            try manifest.write(to: temporary.appendingPathComponent("state.json"))
            try arguments.write(to: temporary.appendingPathComponent("arguments.json"))
            if files.fileExists(atPath: final.path) { try files.removeItem(at: final) }
            try files.moveItem(at: temporary, to: final)
            try Data((name + "\n").utf8).write(to: root.appendingPathComponent("latest"), options: .atomic)
        } catch let error as AgentError {
            try? files.removeItem(at: temporary)
            throw error
        } catch {
            try? files.removeItem(at: temporary)
            throw AgentError(.io, "cannot write the checkpoint \(final.path): \(error)")
        }
        prune(root, keeping: name)
        return final
    }

    /// The newest checkpoint of the run directory `run` (or `run` itself if it is a checkpoint).
    public static func latest(in run: URL) throws(AgentError) -> URL {
        if FileManager.default.fileExists(atPath: run.appendingPathComponent("state.json").path) { return run }
        let root = checkpoints(in: run)
        let pointer = root.appendingPathComponent("latest")
        let text = try read(pointer, limit: 256)
        let name = String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        // The name comes from a file: it must be one of ours, never a path elsewhere.
        guard name.hasPrefix("step-"), name.count <= 32, name.dropFirst(5).allSatisfy(\.isNumber) else {
            throw AgentError(.io, "\(pointer.path) does not name a checkpoint (\(name.prefix(40)))")
        }
        return root.appendingPathComponent(name, isDirectory: true)
    }

    /// Reads and checks the checkpoint in `directory`.
    public static func load(_ directory: URL) throws(AgentError) -> LoadedCheckpoint {
        let stateURL = directory.appendingPathComponent("state.json")
        let manifest = try read(stateURL, limit: maxJSONBytes)
        let header: CheckpointHeader
        do {
            header = try JSONDecoder().decode(CheckpointHeader.self, from: manifest)
        } catch {
            throw AgentError(.io, "\(stateURL.path) is not a checkpoint: \(error)")
        }
        guard header.format == format else {
            throw AgentError(.io, "\(stateURL.path) is in format \(header.format); this build reads \(format)")
        }
        guard header.step >= 0, UInt64(header.seed) != nil else {
            throw AgentError(.io, "\(stateURL.path) has a negative step or an unreadable seed")
        }
        let arguments = try read(directory.appendingPathComponent("arguments.json"), limit: maxJSONBytes)
        let tensorURL = directory.appendingPathComponent("state.safetensors")
        let bytes = try read(tensorURL, limit: maxTensorBytes)
        let tensors: [String: Tensor]
        do {
            tensors = try SafeTensors.decode([UInt8](bytes)).tensors
        } catch {
            throw AgentError(.io, "\(tensorURL.path) is not a valid safetensors file: \(error)")
        }
        return LoadedCheckpoint(directory: directory, header: header, arguments: arguments, manifest: manifest, tensors: tensors)
    }

    /// A file's bytes, refusing one over `limit` before reading it.
    private static func read(_ url: URL, limit: Int) throws(AgentError) -> Data {
        let size: Int
        do {
            size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? Int.max
        } catch {
            throw AgentError(.io, "cannot read \(url.path): no such checkpoint file")
        }
        guard size <= limit else { throw AgentError(.io, "\(url.path) is \(size) bytes, over the \(limit) a checkpoint file may have") }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw AgentError(.io, "cannot read \(url.path): \(error.localizedDescription)")
        }
    }

    /// Removes all but the newest `kept` checkpoints (and leftovers of interrupted writes).
    private static func prune(_ root: URL, keeping newest: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return }
        let steps = names.filter { $0.hasPrefix("step-") }.sorted()
        for name in steps.dropLast(kept) where name != newest {
            try? FileManager.default.removeItem(at: root.appendingPathComponent(name))
        }
        for name in names where name.hasPrefix(".step-") && name.hasSuffix(".tmp-\(ProcessInfo.processInfo.processIdentifier)") {
            try? FileManager.default.removeItem(at: root.appendingPathComponent(name))
        }
    }
}
