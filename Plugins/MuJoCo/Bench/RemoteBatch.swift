import Foundation
import GymClient
import GymCore
import GymPlugin
import GymServer
import Logging

/// Env-steps per second of `count` copies of `id` stepped as one batch by a daemon in this process
/// on tcp loopback with `workers` workers, through the Swift client (`RemoteVectorEnv`): the
/// batched remote path beside the in-process one. Random actions, the best of `repeats` runs.
func remoteBatchRate(_ id: String, count: Int, workers: Int, pluginDirectory: String, seconds: Double, repeats: Int) throws -> Double {
    let registry = PluginLoader.registry(directories: [pluginDirectory], logger: Logger(label: "mujoco-bench"))
    let daemon = try Daemon(configuration: DaemonConfiguration(bind: "tcp://127.0.0.1:*", workers: workers, registry: registry))
    try daemon.start()
    defer {
        daemon.stop()
        daemon.wait()
    }
    let connection = try GymConnection(endpoint: daemon.endpoint, clientName: "mujoco-bench")
    let batch = try RemoteVectorEnv(connection: connection, id: id, count: count, seed: 0)
    defer { try? batch.close() }
    let table = actions(batch.spec, count: 64 * count)
    guard table.count == 64 * count else { return 0 }
    let batches = (0..<64).map { index in Array(table[(index * count)..<((index + 1) * count)].joined()) }
    _ = try batch.reset()
    var best = 0.0
    for _ in 0..<repeats {
        var stepped = 0
        let start = now()
        while now() - start < seconds {
            _ = try batch.step(box: batches[stepped % batches.count])
            stepped += 1
        }
        best = max(best, Double(stepped * count) / (now() - start))
    }
    return best
}
