import ClassicControl
import Flyer
import Testing
@testable import GymCore

/// Every registered environment passes the conformance suite.
@Suite struct ConformanceTests {
    static let registered: [EnvSpec] = ClassicControl.specs + FlyerEnvironments.specs

    @Test(arguments: registered.map(\.id))
    func registeredEnvironmentConforms(id: String) throws {
        let spec = try #require(Self.registered.first { $0.id == id })
        #expect(Conformance.check(spec) == [])
    }

    @Test func everyClassicControlEnvironmentIsCovered() {
        #expect(Set(Self.registered.map(\.id)) == [
            "CartPole-v0", "CartPole-v1", "Pendulum-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Acrobot-v1", "Flyer-v0",
        ])
    }
}

/// The suite itself must catch broken environments.
@Suite struct ConformanceSuiteSelfTests {
    /// Ignores its seed, escapes its observation space, and renders the wrong size.
    final class BrokenEnv: Environment {
        let ignoreSeed: Bool, escape: Bool
        var value: Float = 0
        init(ignoreSeed: Bool, escape: Bool) {
            self.ignoreSeed = ignoreSeed
            self.escape = escape
        }
        func reset(seed: UInt64?, options: ValueMap, observation: UnsafeMutableRawBufferPointer) throws -> ValueMap {
            var generator = NumPyGenerator(seed: ignoreSeed ? UInt64.random(in: 0...UInt64.max) : (seed ?? 0))
            value = Float(generator.uniform(low: -0.5, high: 0.5))
            observation.storeBytes(of: value, as: Float.self)
            return [:]
        }
        func step(action: UnsafeRawBufferPointer, observation: UnsafeMutableRawBufferPointer) throws -> StepResult {
            value += escape ? 0.6 : 0.01
            observation.storeBytes(of: value, as: Float.self)
            return StepResult(reward: 1, terminated: false)
        }
        func render() throws -> RGBFrame { RGBFrame(width: 10, height: 10) }
    }

    func spec(ignoreSeed: Bool = false, escape: Bool = false, renderSize: (Int, Int)? = (10, 10)) -> EnvSpec {
        EnvSpec(id: "Broken-v0", observationSpace: .box(low: -1, high: 1, shape: [1]), actionSpace: .discrete(n: 2),
                maxEpisodeSteps: 20, rewardThreshold: nil, renderSize: renderSize) { _ in
            BrokenEnv(ignoreSeed: ignoreSeed, escape: escape)
        }
    }

    @Test func aWellBehavedVersionPasses() {
        #expect(Conformance.check(spec()) == [])
    }

    @Test func catchesNondeterministicReset() {
        #expect(Conformance.check(spec(ignoreSeed: true)).contains { $0.contains("not deterministic") })
    }

    @Test func catchesObservationsOutsideTheSpace() {
        #expect(Conformance.check(spec(escape: true)).contains { $0.contains("outside") })
    }

    @Test func catchesAWrongRenderSize() {
        #expect(Conformance.check(spec(renderSize: (20, 10))).contains { $0.contains("render gave 10×10") })
    }

    @Test func catchesAFrameWithoutADeclaredSize() {
        #expect(Conformance.check(spec(renderSize: nil)).contains { $0.contains("declares no render size") })
    }
}
