import Foundation
import NeuralNet

/// Rows of a rollout with their advantages and value targets, gathered for a minibatch.
struct Minibatch {
    let rollout: OnPolicyRollout
    let advantages: [Float]
    let returns: [Float]

    /// The chosen rows, in order.
    func rows(_ rows: [Int]) -> (observations: [Float], actions: [Float], oldLogProbabilities: [Float], advantages: [Float], returns: [Float]) {
        let size = rollout.envs.observationSize, width = rollout.actionWidth
        var observations: [Float] = []
        var actions: [Float] = []
        observations.reserveCapacity(rows.count * size)
        actions.reserveCapacity(rows.count * width)
        for row in rows {
            observations.append(contentsOf: rollout.observations[(row * size)..<((row + 1) * size)])
            actions.append(contentsOf: rollout.actions[(row * width)..<((row + 1) * width)])
        }
        return (observations, actions, rows.map { rollout.logProbabilities[$0] }, rows.map { advantages[$0] }, rows.map { returns[$0] })
    }
}
