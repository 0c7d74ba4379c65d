import ClassicControl
import Testing
@testable import GymCore

/// A scripted env: ends its episode after `length` steps, reports its step count as observation.
final class CountingEnv: Environment {
    let length: Int
    var t = 0
    var resets = 0
    init(length: Int) { self.length = length }
    func reset(seed: UInt64?, options: ValueMap, observation: UnsafeMutableRawBufferPointer) throws -> ValueMap {
        t = 0
        resets += 1
        observation.storeBytes(of: Float(-Double(seed ?? 0) - 1), as: Float.self)
        return ["reset": .integer(Int64(resets))]
    }
    func step(action: UnsafeRawBufferPointer, observation: UnsafeMutableRawBufferPointer) throws -> StepResult {
        t += 1
        observation.storeBytes(of: Float(t), as: Float.self)
        return StepResult(reward: Double(action.loadUnaligned(as: Int64.self)), terminated: t >= length)
    }
    static func spec(length: Int, limit: Int?) -> EnvSpec {
        EnvSpec(id: "Counting-v0", observationSpace: .box(low: -1000, high: 1000, shape: [1]), actionSpace: .discrete(n: 3),
                maxEpisodeSteps: limit, rewardThreshold: nil) { _ in CountingEnv(length: length) }
    }
}

@Suite struct EnvBatchTests {
    func actions(_ values: [Int64]) -> [NDArray] {
        [NDArray(dtype: .int64, shape: [values.count], values: values.map(Double.init))]
    }

    @Test func nextStepModeResetsOnTheFollowingStep() throws {
        let batch = try EnvBatch(spec: CountingEnv.spec(length: 2, limit: nil), count: 2)
        try batch.reset(seeds: [10])
        #expect(batch.observationArrays()[0].floats == [-11, -12])
        try batch.step(actions: actions([1, 2]))
        try batch.step(actions: actions([1, 2]))
        #expect(batch.terminated == [1, 1])
        #expect(batch.observationArrays()[0].floats == [2, 2])  // the final observation is delivered
        try batch.step(actions: actions([1, 2]))
        #expect(batch.rewards == [0, 0])  // the autoreset step ignores its action
        #expect(batch.terminated == [0, 0])
        #expect(batch.infos.map(\.index) == [0, 1])
        try batch.step(actions: actions([1, 2]))
        #expect(batch.observationArrays()[0].floats == [1, 1])
    }

    @Test func sameStepModeReturnsFinalObservationSeparately() throws {
        let batch = try EnvBatch(spec: CountingEnv.spec(length: 2, limit: nil), count: 2, autoreset: .sameStep)
        try batch.reset()
        try batch.step(actions: actions([0, 0]))
        try batch.step(actions: actions([1, 1]))
        #expect(batch.terminated == [1, 1])
        #expect(batch.finalIndices == [0, 1])
        #expect(batch.finalObservationArrays()[0].floats == [2, 2])
        #expect(batch.observationArrays()[0].floats.allSatisfy { $0 < 0 })  // already reset
        try batch.step(actions: actions([1, 1]))
        #expect(batch.finalIndices.isEmpty)
        #expect(batch.rewards == [1, 1])
    }

    @Test func disabledModeRequiresReset() throws {
        let batch = try EnvBatch(spec: CountingEnv.spec(length: 1, limit: nil), count: 1, autoreset: .disabled)
        #expect(throws: GymError(.resetNeeded, "step before the first reset")) { try batch.step(actions: actions([0])) }
        try batch.reset()
        try batch.step(actions: actions([0]))
        #expect(throws: GymError.self) { try batch.step(actions: actions([0])) }
        try batch.reset()
        try batch.step(actions: actions([0]))
    }

    @Test func timeLimitTruncatesAndOverrideApplies() throws {
        let registryLimit = try EnvBatch(spec: CountingEnv.spec(length: 100, limit: 3), count: 1)
        try registryLimit.reset()
        for _ in 0..<2 { try registryLimit.step(actions: actions([0])) }
        #expect(registryLimit.truncated == [0])
        try registryLimit.step(actions: actions([0]))
        #expect(registryLimit.truncated == [1])
        #expect(registryLimit.terminated == [0])
        let overridden = try EnvBatch(spec: CountingEnv.spec(length: 100, limit: 3), count: 1, maxEpisodeSteps: 0)
        #expect(overridden.maxEpisodeSteps == nil)
        try overridden.reset()
        for _ in 0..<10 { try overridden.step(actions: actions([0])) }
        #expect(overridden.truncated == [0])
    }

    @Test func terminationAndTruncationAreDistinct() throws {
        let batch = try EnvBatch(spec: CountingEnv.spec(length: 3, limit: 3), count: 1)
        try batch.reset()
        for _ in 0..<3 { try batch.step(actions: actions([0])) }
        // Both at once, as Gymnasium's TimeLimit reports them.
        #expect(batch.terminated == [1] && batch.truncated == [1])
    }

    @Test func makeSeedSeedsTheFirstReset() throws {
        let spec = CartPole.specs()[1]
        let a = try EnvBatch(spec: spec, count: 3, seed: 5)
        try a.reset()
        let b = try EnvBatch(spec: spec, count: 3)
        try b.reset(seeds: [5])
        #expect(a.observations == b.observations)
        let c = try EnvBatch(spec: spec, count: 3)
        try c.reset(seeds: [5, 6, 7])
        #expect(a.observations == c.observations)
        #expect(throws: GymError.self) { try c.reset(seeds: [1, 2]) }
    }

    @Test func actionValidation() throws {
        let batch = try EnvBatch(spec: CountingEnv.spec(length: 5, limit: nil), count: 2)
        try batch.reset()
        for bad in [actions([0, 3]), actions([0]), [NDArray(dtype: .int32, shape: [2], values: [0, 0])], []] {
            #expect(throws: GymError.self) { try batch.step(actions: bad) }
        }
        try batch.step(actions: actions([2, 0]))
        #expect(batch.rewards == [2, 0])
    }
}
