@testable import Flyer
import Foundation
import Testing
@testable import GymCore

/// The flyer's physics, rewards, kwargs and registry entry.
@Suite struct FlyerTests {
    static let jump: Int64 = 1
    static let fall: Int64 = 0

    /// A flyer built from its registry entry, stepped directly.
    struct Run {
        let env: Environment
        var observation = [UInt8](repeating: 0, count: 8)

        init(_ kwargs: ValueMap = [:], seed: UInt64 = 0) throws {
            env = try Flyer.spec().make(kwargs)
            _ = try observation.withUnsafeMutableBytes { try env.reset(seed: seed, options: [:], observation: $0) }
        }

        var y: Float { observation.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 0, as: Float.self) } }
        var vy: Float { observation.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 4, as: Float.self) } }

        mutating func step(_ action: Int64) throws -> StepResult {
            let env = env
            return try withUnsafeBytes(of: action) { action in
                try observation.withUnsafeMutableBytes { try env.step(action: action, observation: $0) }
            }
        }
    }

    @Test func alwaysJumpingStaysAliveAtFirstThenLeavesThroughTheTop() throws {
        var run = try Run()
        // A jump sets vy = 0.2 whatever the initial noise, so y = 0.2·k.
        for _ in 1...5 {
            let result = try run.step(Self.jump)
            #expect(!result.terminated && result.reward == 0)
        }
        let result = try run.step(Self.jump)
        #expect(result.terminated && result.reward == -1)
        #expect(run.y > 1)
    }

    @Test(arguments: [UInt64(0), 1, 2, 3, 4])
    func neverJumpingFallsOutTheBottom(seed: UInt64) throws {
        var run = try Run(seed: seed)
        var last = StepResult(reward: 0, terminated: false)
        var steps = 0
        while !last.terminated && steps < 20 {
            last = try run.step(Self.fall)
            steps += 1
        }
        #expect(last.terminated && last.reward == -1)
        #expect(run.y < -1)
        #expect(steps <= 5)
    }

    @Test func noiselessTrajectoryMatchesTheHandComputedOne() throws {
        var run = try Run(["noise": .number(0)])
        #expect(run.y == 0 && run.vy == 0)
        // (action, y, vy) after each step: jump sets vy = 0.2; falling subtracts 0.2.
        let expected: [(Int64, Float, Float)] = [
            (Self.jump, 0.2, 0.2), (Self.fall, 0.2, 0), (Self.fall, 0, -0.2),
            (Self.fall, -0.4, -0.4), (Self.jump, -0.2, 0.2), (Self.jump, 0, 0.2),
        ]
        for (index, (action, y, vy)) in expected.enumerated() {
            let result = try run.step(action)
            #expect(run.y == y && run.vy == vy, "step \(index + 1): y \(run.y) vy \(run.vy)")
            #expect(!result.terminated && result.reward == 0)
        }
    }

    @Test func crossingTheRightEdgeEarnsPlusOne() throws {
        var run = try Run(["noise": .number(0)])
        // Jump, fall, fall keeps y in {0.2, 0.2, 0}: the flyer crosses x = 1 on step 40.
        let pattern = [Self.jump, Self.fall, Self.fall]
        var step = 0
        var result = StepResult(reward: 0, terminated: false)
        while !result.terminated {
            result = try run.step(pattern[step % pattern.count])
            step += 1
            if !result.terminated { #expect(result.reward == 0) }
        }
        #expect(result.reward == 1)
        #expect(step == 40)
        #expect(abs(run.y) <= 1)
    }

    @Test func kwargsChangeTheConstants() throws {
        var run = try Run(["noise": .number(0), "gravity": .number(0.1), "jump_speed": .number(0.3), "speed": .number(0.5)])
        var result = try run.step(Self.jump)
        #expect(run.vy == 0.3 && run.y == 0.3)
        result = try run.step(Self.fall)
        #expect(run.vy == Float(0.3 - 0.1) && run.y == Float(0.3 + (0.3 - 0.1)))
        // x: -0.5, 0, 0.5, 1.0, 1.5: only the fifth step is past the edge.
        for _ in 3...4 {
            result = try run.step(Self.fall)
            #expect(!result.terminated)
        }
        result = try run.step(Self.fall)
        #expect(result.terminated && result.reward == 1)
    }

    @Test func noiseScalesTheInitialVelocity() throws {
        let quiet = try Run(["noise": .number(0)], seed: 7)
        #expect(quiet.vy == 0)
        let base = try Run(seed: 7)
        let loud = try Run(["noise": .number(1)], seed: 7)
        #expect(base.vy != 0)
        #expect(abs(loud.vy - base.vy * 10) <= abs(loud.vy) * 1e-6)
        let again = try Run(seed: 7)
        let other = try Run(seed: 8)
        #expect(again.vy == base.vy && other.vy != base.vy)
    }

    @Test func initialVelocityLooksNormal() throws {
        var generator = NumPyGenerator(seed: 42)
        let count = 20_000
        let draws = (0..<count).map { _ in Flyer.standardNormal(&generator) }
        let mean = draws.reduce(0, +) / Double(count)
        let variance = draws.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(count)
        #expect(abs(mean) < 0.03)
        #expect(abs(variance - 1) < 0.05)
        #expect(draws.allSatisfy { $0.isFinite })
    }

    @Test func registryEntry() throws {
        let spec = Flyer.spec()
        #expect(spec.id == "Flyer-v0")
        #expect(spec.maxEpisodeSteps == 100)
        #expect(spec.rewardThreshold == 0.9)
        #expect(spec.actionSpace == .discrete(n: 2))
        #expect(spec.observationSpace == .box(low: -.infinity, high: .infinity, shape: [2], dtype: .float32))
        #expect(Set(spec.kwargs.keys) == ["gravity", "jump_speed", "speed", "noise"])
        #expect(FlyerEnvironments.specs.map(\.id) == ["Flyer-v0"])
        var registry = EnvRegistry()
        try FlyerEnvironments.register(into: &registry)
        #expect(registry.spec("Flyer-v0") != nil)
        #expect(Conformance.check(spec) == [])
    }

    @Test func rejectsBadKwargsAndActions() throws {
        #expect(throws: GymError.self) { try Flyer.spec().make(["speed": .number(0)]) }
        #expect(throws: GymError.self) { try Flyer.spec().make(["noise": .number(-1)]) }
        #expect(throws: GymError.self) { try Flyer.spec().make(["gravity": .number(.nan)]) }
        var run = try Run()
        #expect(throws: GymError.self) { try run.step(2) }
    }

    @Test func timeLimitTruncatesThroughTheBatch() throws {
        // Slow enough never to reach the edge; jump, fall, fall hovers between y = 0 and 0.2.
        let batch = try EnvBatch(spec: Flyer.spec(), count: 1, kwargs: ["speed": .number(0.001), "noise": .number(0)], autoreset: .disabled)
        try batch.reset(seeds: [0])
        for step in 1...100 {
            let action: Int64 = step % 3 == 1 ? Self.jump : Self.fall
            try batch.step(actions: [NDArray(dtype: .int64, shape: [1], values: [Double(action)])])
            #expect(batch.terminated[0] == 0)
            #expect((batch.truncated[0] != 0) == (step == 100))
        }
    }
}
