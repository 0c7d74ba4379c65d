@testable import Agents
import Foundation
import NeuralNet
import Testing

/// Running observation and return statistics (PPO's --standardize-observations and
/// --standardize-rewards): the moments equal the whole-array ones however the data is split,
/// the return normaliser follows VecNormalize's recurrence, and a clipped scaling survives the
/// policy file.
@Suite struct StandardizationTests {
    /// Rows of `width` floats from a seeded stream, spread and shifted per column.
    func rows(_ count: Int, width: Int, seed: UInt64) -> [Float] {
        var random = SeededRNG(seed: seed)
        return (0..<count).flatMap { _ in (0..<width).map { Float($0 * 3 - 2) + Float($0 + 1) * random.nextUniform(low: -1, high: 1) } }
    }

    /// NumPy's `mean` and `var` of one column, with the 1e-4 prior sample of mean 0, variance 1.
    func direct(_ values: [Float], width: Int, column: Int) -> (mean: Double, variance: Double) {
        let column = stride(from: column, to: values.count, by: width).map { Double(values[$0]) }
        let n = Double(column.count), prior = 1e-4
        let mean = column.reduce(0, +) / n
        let variance = column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        // Merging the prior (count 1e-4, mean 0, variance 1) with the sample, by the parallel formula.
        let total = prior + n
        return (mean * n / total, (prior + variance * n + mean * mean * prior * n / total) / total)
    }

    @Test func momentsDoNotDependOnHowTheBatchesAreSplit() {
        let width = 3
        let data = rows(1_000, width: width, seed: 4)
        var whole = RunningMoments(width: width)
        whole.merge(data, rows: 1_000)
        var split = RunningMoments(width: width)
        for (start, end) in [(0, 1), (1, 250), (250, 251), (251, 1_000)] {
            split.merge(data[(start * width)..<(end * width)], rows: end - start)
        }
        for column in 0..<width {
            let expected = direct(data, width: width, column: column)
            #expect(abs(whole.mean[column] - expected.mean) < 1e-9 && abs(whole.variance[column] - expected.variance) < 1e-9)
            #expect(abs(split.mean[column] - expected.mean) < 1e-9 && abs(split.variance[column] - expected.variance) < 1e-9)
        }
        #expect(abs(whole.count - 1_000.0001) < 1e-9)
        #expect(whole.problem(width: width) == nil && whole.problem(width: 2) != nil)
        var empty = RunningMoments(width: width)
        empty.merge([Float](), rows: 0)
        #expect(empty == RunningMoments(width: width))
    }

    @Test func observationsAreCentredScaledAndClipped() {
        var normalization = ObservationNormalization(width: 2, clip: 5)
        #expect(normalization.scaling.normalize([3, -20]) == [3, -5], "before any data: identity, clipped")
        let data = (0..<200).flatMap { i -> [Float] in [10 + Float(i % 2) * 2, -4] }  // column 0: 10 or 12; column 1: constant
        normalization.observe(data, rows: 200)
        let units = normalization.scaling.normalize([12, -4, 1_000, 50])
        #expect(abs(units[0] - 1) < 1e-3, "one deviation above the mean is 1")
        #expect(abs(units[1]) < 0.01, "a constant column maps to about 0 (the prior sample keeps its deviation above 0)")
        #expect(units[2] == 5 && units[3] == 5, "clipped to ±5")
        #expect(normalization.problem(width: 2) == nil && normalization.problem(width: 3) != nil)
        for clip in [Double.nan, 0, -1, 1e300] {
            var bad = normalization
            bad.clip = clip
            #expect(bad.problem(width: 2) != nil, "clip \(clip)")
        }
        var arguments = PPO.Arguments()
        arguments.observationClip = 1e300
        #expect(arguments.problem != nil, "a clip no float32 holds")
    }

    @Test func rewardsAreDividedByTheDeviationOfTheDiscountedReturn() {
        var normalization = ReturnNormalization(environments: 2, gamma: 0.5, clip: 3)
        var moments = RunningMoments(width: 1)
        var returns = [0.0, 0.0]
        let steps: [([Double], [Bool])] = [([1, 2], [false, false]), ([1, -4], [false, true]), ([100, 3], [false, false])]
        for (rewards, ended) in steps {
            let seen = normalization.normalize(rewards, ended: ended)
            returns = zip(returns, rewards).map { $0 * 0.5 + $1 }
            moments.merge(returns.map { Float($0) }, rows: 2)
            let scale = (moments.variance[0] + 1e-8).squareRoot()
            let expected = rewards.map { min(max($0 / scale, -3), 3) }
            for env in 0..<2 { #expect(abs(seen[env] - expected[env]) < 1e-5 * max(1, abs(expected[env]))) }
            for env in 0..<2 where ended[env] { returns[env] = 0 }
        }
        #expect(normalization.returns == [1 * 0.25 + 0.5 * 1 + 100, 3], "the second episode's return restarted")
        #expect(normalization.problem(environments: 2) == nil && normalization.problem(environments: 3) != nil)
    }

    @Test func aClippedScalingSurvivesThePolicyFileAndABadClipIsRefused() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var random = SeededRNG(seed: 2)
        let scaling = BoxScaling(center: [1, -2, 0.5], halfWidth: [0.5, 3, 2], clip: 10)
        let policy = ContinuousActorPolicy(network: MLP(sizes: [3, 8, 1], activation: .relu, outputActivation: .identity, rng: &random),
                                           observationScaling: scaling, actionLow: [-2], actionHigh: [2])
        func save(_ structure: [String: MetadataValue], to name: String) throws -> URL {
            let url = directory.appendingPathComponent(name)
            let metadata = PolicyMetadata(algo: "ppo", env: "Pendulum-v1", policy: "continuous_actor", observationSpace: "Box(3,)",
                                          actionSpace: "Box(-2.0, 2.0, (1,), float32)", observationSize: 3, actionCount: 1, seed: 1,
                                          structure: structure, hyperparameters: [:], evaluation: nil)
            try PolicyFile.save(ContinuousActorPolicy(network: policy.network, observationScaling: scaling, actionLow: [-2], actionHigh: [2]),
                                metadata: metadata, to: url)
            return url
        }
        let url = try save(policy.checkpoint.structure, to: "clipped.safetensors")
        let loaded = try #require(try PolicyFile.load(from: url).policy as? ContinuousActorPolicy)
        #expect(loaded.observationScaling == scaling)
        let far: [Float] = [1_000, -1_000, 0.5, 1.25, -2, 0.5]
        #expect(loaded.observationScaling.normalize(far) == [10, -10, 0, 0.5, 0, 0])
        #expect(loaded.actions(far, count: 2) == policy.actions(far, count: 2))
        for bad: MetadataValue in [.double(-1), .double(0), .string("10"), .double(1e300)] {
            var structure = policy.checkpoint.structure
            structure["observation_clip"] = bad
            let file = try save(structure, to: "bad.safetensors")
            #expect(throws: AgentError.self, "\(bad)") { _ = try PolicyFile.load(from: file) }
        }
    }
}
