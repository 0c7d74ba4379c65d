import CMuJoCo
import Foundation
import GymCore
import GymPlugin
import MuJoCo

// Steps per second of each MuJoCo environment in this process, one thread, beside the raw
// physics it runs: `raw` is only `ctrl = action; mj_step × frame_skip` on the same model,
// `physics` adds the `mj_rnePostConstraint` Gymnasium's `do_simulation` also runs (both restart
// the model where the environment's episodes ended),
// `plugin` is the environment through the plugin C ABI as the daemon's workers call it
// (observation, reward, info and termination included; a reset when an episode ends).
// With --remote-batch B, also `remote`: B copies stepped as one batch by a daemon in this process
// over tcp loopback through the Swift client, with one worker and with two (RemoteBatch.swift).
// Usage: MuJoCoBench [--seconds S] [--repeats N] [--remote-batch B] [ENV...]; prints one JSON
// object per environment.

let arguments = Array(CommandLine.arguments.dropFirst())
var seconds = 1.0
var repeats = 3
var remoteBatch = 0
var ids: [String] = []
var index = 0
while index < arguments.count {
    if arguments[index] == "--seconds", index + 1 < arguments.count, let value = Double(arguments[index + 1]) {
        seconds = value
        index += 2
    } else if arguments[index] == "--repeats", index + 1 < arguments.count, let value = Int(arguments[index + 1]), value > 0 {
        repeats = value
        index += 2
    } else if arguments[index] == "--remote-batch", index + 1 < arguments.count, let value = Int(arguments[index + 1]), value > 0 {
        remoteBatch = value
        index += 2
    } else {
        ids.append(arguments[index])
        index += 1
    }
}

let directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
let plugin = try PluginLoader.load(path: "\(directory)/libGymMuJoCo.\(PluginLoader.libraryExtension)")
if ids.isEmpty { ids = plugin.specs.map(\.id) }

/// Random actions in the action space, float32, made once so drawing them costs neither loop.
func actions(_ spec: EnvSpec, count: Int) -> [[Float]] {
    guard case .box(let low, let high, _, _) = spec.actionSpace else { return [] }
    var generator = NumPyGenerator(seed: 1)
    return (0..<count).map { _ in zip(low, high).map { Float($0 + ($1 - $0) * generator.random()) } }
}

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// Steps per second of `body`, run in rounds of 100 steps until `duration` seconds pass.
func rate(for duration: Double, _ body: (Int) throws -> Void) rethrows -> Double {
    var steps = 0
    let start = now()
    while now() - start < duration {
        for _ in 0..<100 {
            try body(steps)
            steps += 1
        }
    }
    return Double(steps) / (now() - start)
}

/// Measures one environment and prints its line. The three loops alternate for `repeats`
/// rounds and each keeps its best round, since other processes share the cores.
func measure(_ id: String, plugin: PluginLoader.Plugin, seconds: Double, repeats: Int, remoteBatch: Int, pluginDirectory: String) throws {
    guard let spec = plugin.specs.first(where: { $0.id == id }), let file = MuJoCoEnvironments.modelFiles[id],
          case .integer(let frameSkip) = spec.kwargs["frame_skip"] ?? .integer(1) else {
        FileHandle.standardError.write(Data("MuJoCoBench: no environment \(id)\n".utf8))
        return
    }
    let table = actions(spec, count: 1_000)
    let path = try MuJoCoAssets.path(of: file)
    var message = [CChar](repeating: 0, count: 1_000)
    guard let model = mj_loadXML(path, nil, &message, Int32(message.count)), let data = mj_makeData(model) else {
        FileHandle.standardError.write(Data("MuJoCoBench: cannot load \(path)\n".utf8))
        return
    }
    let nu = Int(model.pointee.nu)
    let environment = try spec.make()
    var observation = [UInt8](repeating: 0, count: spec.observationSpace.byteCount)
    let bytes = table.map { action in action.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init) } }
    _ = try observation.withUnsafeMutableBytes { try environment.reset(seed: 0, options: [:], observation: $0) }
    // The steps at which episodes ended, so the physics loops restart where the environment did
    // (a fallen robot's contacts make its steps slower than a standing one's).
    var ends: Set<Int> = []
    func served() throws -> Double {
        ends.removeAll()
        return try rate(for: seconds) { step in
            try observation.withUnsafeMutableBytes { buffer in
                let result = try bytes[step % bytes.count].withUnsafeBytes { try environment.step(action: $0, observation: buffer) }
                if result.terminated {
                    ends.insert(step)
                    _ = try environment.reset(seed: nil, options: [:], observation: buffer)
                }
            }
        }
    }
    func physics(postConstraint: Bool) -> Double {
        mj_resetData(model, data)
        mj_forward(model, data)
        return rate(for: seconds) { step in
            let action = table[step % table.count]
            for joint in 0..<nu { data.pointee.ctrl[joint] = Double(action[joint]) }
            for _ in 0..<frameSkip { mj_step(model, data) }
            if postConstraint { mj_rnePostConstraint(model, data) }
            if ends.contains(step) {
                mj_resetData(model, data)
                mj_forward(model, data)
            }
        }
    }
    var ours = 0.0, raw = 0.0, gymnasiumPhysics = 0.0
    for _ in 0..<repeats {
        ours = max(ours, try served())
        raw = max(raw, physics(postConstraint: false))
        gymnasiumPhysics = max(gymnasiumPhysics, physics(postConstraint: true))
    }
    mj_deleteData(data)
    mj_deleteModel(model)
    let overhead = (raw / ours - 1) * 100
    let overPhysics = (gymnasiumPhysics / ours - 1) * 100
    var remote = ""
    if remoteBatch > 0 {
        let one = try remoteBatchRate(id, count: remoteBatch, workers: 1, pluginDirectory: pluginDirectory, seconds: seconds, repeats: repeats)
        let two = try remoteBatchRate(id, count: remoteBatch, workers: 2, pluginDirectory: pluginDirectory, seconds: seconds, repeats: repeats)
        remote = ", \"remote_batch\": \(remoteBatch), \"remote_1_worker_steps_per_s\": \(Int(one)), \"remote_2_workers_steps_per_s\": \(Int(two))"
    }
    print("{\"env\": \"\(id)\", \"raw_steps_per_s\": \(Int(raw)), \"physics_steps_per_s\": \(Int(gymnasiumPhysics)), "
          + "\"plugin_steps_per_s\": \(Int(ours)), \"overhead_over_raw_percent\": \(String(format: "%.1f", overhead)), "
          + "\"overhead_over_physics_percent\": \(String(format: "%.1f", overPhysics)), \"episodes_ended\": \(ends.count)\(remote)}")
}

for id in ids {
    try measure(id, plugin: plugin, seconds: seconds, repeats: repeats, remoteBatch: remoteBatch, pluginDirectory: directory)
}
