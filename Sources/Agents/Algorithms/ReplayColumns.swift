import Foundation
import GymClient
import GymCore
import Logging
import NeuralNet

/// A sampled Ape-X batch as network inputs.
struct ReplayColumns {
    var observations: Tensor
    var nextObservations: Tensor
    var actions: [Int]
    var rewards: [Float]
    var terminated: [Float]
    var versions: [Int64]

    init(_ batch: SampledItems, observationSize: Int, actionCount: Int) throws {
        func column(_ name: String) throws -> NDArray {
            guard let array = batch.columns[name] else { throw AgentError(.invalidArgument, "replay batch has no column \(name)") }
            return array
        }
        // The buffer is another process: every column must have one row per key before tensors are shaped.
        let count = batch.keys.count
        func rows<T>(_ values: [T], _ name: String, width: Int = 1) throws -> [T] {
            guard values.count == count * width else { throw AgentError(.invalidArgument, "replay batch column \(name) has \(values.count) values for \(count) rows") }
            return values
        }
        observations = Tensor(shape: [count, observationSize], data: try rows(column("obs").floats, "obs", width: observationSize))
        nextObservations = Tensor(shape: [count, observationSize], data: try rows(column("next_obs").floats, "next_obs", width: observationSize))
        actions = try rows(column("action").int64s, "action").map { Int(clamping: $0) }
        rewards = try rows(column("reward").floats, "reward")
        terminated = try rows(column("terminated").floats, "terminated")
        versions = try rows(column("version").int64s, "version")
        guard actions.allSatisfy({ (0..<actionCount).contains($0) }) else { throw AgentError(.invalidArgument, "replay batch has an action outside 0..<\(actionCount)") }
        guard batch.weights.count == count else { throw AgentError(.invalidArgument, "replay batch has \(batch.weights.count) weights for \(count) rows") }
    }
}
