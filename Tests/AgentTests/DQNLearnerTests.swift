@testable import Agents
import NeuralNet
import Testing

/// The TD loss's importance weights, which prioritized replay relies on under both losses.
@Suite struct DQNLearnerTests {
    /// The gradient of the TD loss with respect to Q(s, a), for Q values `q` against `targets`.
    private func gradient(_ q: [Float], targets: [Float], weights: [Float]?, kind: DQN.LossKind) -> [Float] {
        let graph = Graph()
        let parameter = Parameter(Tensor(shape: [q.count], data: q))
        let loss = DQNLearner.tdLoss(graph.parameter(parameter), targets: Tensor(shape: [targets.count], data: targets),
                                     weights: weights.map { Tensor(shape: [$0.count], data: $0) }, kind: kind)
        graph.backward(loss)
        return parameter.grad.data
    }

    // Errors inside and beyond Huber's quadratic zone, of both signs.
    private let q: [Float] = [0.5, 3, -2, 0.25]
    private let targets: [Float] = [0, 0, 0, 1]

    @Test(arguments: [DQN.LossKind.huber, .mse])
    func aZeroWeightRemovesARowsGradientAndADoubleWeightDoublesIt(_ kind: DQN.LossKind) {
        let ones = gradient(q, targets: targets, weights: [1, 1, 1, 1], kind: kind)
        let weighted = gradient(q, targets: targets, weights: [0, 2, 1, 1], kind: kind)
        #expect(weighted[0] == 0 && ones[0] != 0)
        #expect(weighted[1] == 2 * ones[1])
        #expect(weighted[2] == ones[2] && weighted[3] == ones[3])
    }

    @Test(arguments: [DQN.LossKind.huber, .mse])
    func unitWeightsMatchTheUnweightedLoss(_ kind: DQN.LossKind) {
        let unweighted = gradient(q, targets: targets, weights: nil, kind: kind)
        let ones = gradient(q, targets: targets, weights: [1, 1, 1, 1], kind: kind)
        for (a, b) in zip(unweighted, ones) { #expect(Swift.abs(a - b) <= 1e-6) }
        // Huber's gradient is the error clipped to [-1, 1], over the batch size.
        if kind == .huber { #expect(unweighted == [0.125, 0.25, -0.25, -0.1875]) }
    }
}
