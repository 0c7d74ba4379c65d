import Agents
import Foundation
import NeuralNet
import Testing

@Suite struct DistributionTests {
    @Test func categoricalLogProbabilityAndEntropyMatchTheClosedForms() {
        let logits = Tensor(rows: [[1, 2, 3], [0, 0, 0]])
        let graph = Graph()
        let distribution = CategoricalDistribution(logits: graph.constant(logits))
        let logProbability = distribution.logProbability(of: [2, 1]).value.data
        let z = exp(1.0) + exp(2.0) + exp(3.0)
        #expect(abs(Double(logProbability[0]) - (3 - log(z))) < 1e-6)
        #expect(abs(Double(logProbability[1]) - log(1.0 / 3)) < 1e-6)
        let entropy = distribution.entropy.value.data
        let p = [exp(1.0) / z, exp(2.0) / z, exp(3.0) / z]
        #expect(abs(Double(entropy[0]) - -p.map { $0 * log($0) }.reduce(0, +)) < 1e-6)
        #expect(abs(Double(entropy[1]) - log(3.0)) < 1e-6)
    }

    @Test func categoricalSamplesFollowTheSoftmax() {
        // Probabilities 0.1, 0.2, 0.7 on every row.
        let row: [Float] = [log(0.1), log(0.2), log(0.7)]
        let logits = Tensor(shape: [20_000, 3], data: Array((0..<20_000).map { _ in row }.joined()))
        var random = SeededRNG(seed: 5)
        let (actions, logProbabilities) = CategoricalDistribution.sample(logits: logits, random: &random)
        for (action, expected) in zip(0..<3, [0.1, 0.2, 0.7]) {
            let frequency = Double(actions.filter { $0 == action }.count) / 20_000
            #expect(abs(frequency - expected) < 0.015, "action \(action): \(frequency)")
        }
        #expect(zip(actions, logProbabilities).allSatisfy { abs($1 - row[$0]) < 1e-5 })
    }

    @Test func gaussianLogDensityAndEntropyMatchTheClosedForms() {
        let mean = Tensor(rows: [[0.5, -1], [0, 2]])
        let logStd: [Float] = [log(2), log(0.5)]
        let actions = Tensor(rows: [[1.5, -1.25], [-2, 2]])
        let graph = Graph()
        let distribution = DiagonalGaussian(mean: graph.constant(mean), logStd: graph.constant(Tensor(shape: [2], data: logStd)))
        let logDensity = distribution.logProbability(of: actions).value.data
        func normal(_ x: Double, _ mu: Double, _ sigma: Double) -> Double {
            -0.5 * pow((x - mu) / sigma, 2) - log(sigma) - 0.5 * log(2 * Double.pi)
        }
        #expect(abs(Double(logDensity[0]) - (normal(1.5, 0.5, 2) + normal(-1.25, -1, 0.5))) < 1e-5)
        #expect(abs(Double(logDensity[1]) - (normal(-2, 0, 2) + normal(2, 2, 0.5))) < 1e-5)
        let entropy = Double(distribution.entropy.value.scalar)
        #expect(abs(entropy - (log(2) + log(0.5) + log(2 * Double.pi * M_E))) < 1e-5)
    }

    @Test func gaussianSamplesAreMeanPlusSigmaTimesNoiseWithTheirDensity() {
        let mean = Tensor(rows: [[0.5, -1]])
        let logStd: [Float] = [log(2), log(0.5)]
        let (actions, logDensities) = DiagonalGaussian.sample(mean: mean, logStd: logStd, noise: [1, -2])
        #expect(actions == [2.5, -2])
        let graph = Graph()
        let onGraph = DiagonalGaussian(mean: graph.constant(mean), logStd: graph.constant(Tensor(shape: [2], data: logStd)))
            .logProbability(of: Tensor(rows: [[2.5, -2]])).value.data
        #expect(abs(logDensities[0] - onGraph[0]) < 1e-5)
    }

    /// d log π / dμ = (a − μ)/σ² and d log π / d log σ = ((a − μ)/σ)² − 1, through the graph.
    @Test func gaussianGradientsMatchTheClosedForms() {
        let mean = Parameter(Tensor(rows: [[0.3, -0.7]]))
        let logStd = Parameter(Tensor(shape: [2], data: [0.2, -0.4]))
        let action = Tensor(rows: [[1.1, -0.2]])
        let graph = Graph()
        let distribution = DiagonalGaussian(mean: graph.parameter(mean), logStd: graph.parameter(logStd))
        graph.backward(distribution.logProbability(of: action).sum())
        for j in 0..<2 {
            let sigma = exp(Double(logStd.value.data[j]))
            let diff = Double(action.data[j] - mean.value.data[j])
            #expect(abs(Double(mean.grad.data[j]) - diff / (sigma * sigma)) < 1e-5)
            #expect(abs(Double(logStd.grad.data[j]) - (diff * diff / (sigma * sigma) - 1)) < 1e-5)
        }
    }

    @Test func correlatedNoiseKeepsUnitVarianceAndLeansTheSameWay() {
        var white = CorrelatedNoise(count: 1, correlation: 0, seed: 3)
        var held = CorrelatedNoise(count: 1, correlation: 0.9, seed: 3)
        func statistics(_ noise: inout CorrelatedNoise) -> (variance: Double, lagOne: Double) {
            let x = (0..<40_000).map { _ in Double(noise.next()[0]) }
            let mean = x.reduce(0, +) / Double(x.count)
            let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count)
            let covariance = zip(x, x.dropFirst()).reduce(0) { $0 + ($1.0 - mean) * ($1.1 - mean) } / Double(x.count - 1)
            return (variance, covariance / variance)
        }
        let (whiteVariance, whiteLag) = statistics(&white)
        let (heldVariance, heldLag) = statistics(&held)
        #expect(abs(whiteVariance - 1) < 0.05 && abs(heldVariance - 1) < 0.1)
        #expect(abs(whiteLag) < 0.03)
        #expect(abs(heldLag - 0.9) < 0.03)
    }
}
