import Foundation
import GymClient
import GymCore
import Logging
import NeuralNet

/// Transitions gathered column-wise for one insert: `obs`, `action`, `reward`, `next_obs`,
/// `terminated` and `version`, the columns of an Ape-X replay table.
struct TransitionColumns {
    let observationSize: Int
    var observations: [Float] = []
    var actions: [Int] = []
    var rewards: [Float] = []
    var nextObservations: [Float] = []
    var terminated: [Bool] = []
    var versions: [Int64] = []

    var count: Int { actions.count }

    mutating func append(_ t: Transitions, version: UInt64) {
        observations += t.observations
        actions += t.actions
        rewards += t.rewards.map(Float.init)
        nextObservations += t.nextObservations
        terminated += t.terminated
        versions += Array(repeating: Int64(version), count: t.actions.count)
    }

    /// `|r + γ (1 − terminated) max_a Q(s', a) − Q(s, a)|` under `network`, the initial priorities.
    func priorities(network: MLP, gamma: Float) -> [Double] {
        let q = network.predict(Tensor(shape: [count, observationSize], data: observations))
        let next = network.predict(Tensor(shape: [count, observationSize], data: nextObservations))
        let width = q.shape[1]
        return (0..<count).map { row in
            let best = (0..<width).map { next.data[row * width + $0] }.max() ?? 0
            let target = rewards[row] + (terminated[row] ? 0 : gamma * best)
            return Double(abs(target - q.data[row * width + actions[row]])) + 1e-3
        }
    }

    var columns: [TensorColumn] {
        func bytes<T>(_ values: [T]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }
        return [
            TensorColumn("obs", NDArray(dtype: .float32, shape: [count, observationSize], bytes: bytes(observations))),
            TensorColumn("action", NDArray(dtype: .int64, shape: [count], bytes: bytes(actions.map { Int64($0) }))),
            TensorColumn("reward", NDArray(dtype: .float32, shape: [count], bytes: bytes(rewards))),
            TensorColumn("next_obs", NDArray(dtype: .float32, shape: [count, observationSize], bytes: bytes(nextObservations))),
            TensorColumn("terminated", NDArray(dtype: .bool, shape: [count], bytes: terminated.map { $0 ? 1 : 0 })),
            TensorColumn("version", NDArray(dtype: .int64, shape: [count], bytes: bytes(versions))),
        ]
    }
}
