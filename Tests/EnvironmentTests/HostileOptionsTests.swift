@testable import ClassicControl
import Foundation
import Testing
@testable import GymCore

/// Reset options come from clients: none may wedge a worker or poison the state (issue 13).
@Suite struct HostileOptionsTests {
    static let absurd: [Double] = [1e20, -1e20, .infinity, -.infinity, .nan, 1000.5, Double.greatestFiniteMagnitude]

    /// Every option of every classic-control env, each with absurd values: INVALID_ARGUMENT.
    @Test(arguments: [
        ("CartPole-v1", ["low", "high"]), ("CartPole-v0", ["low", "high"]), ("Acrobot-v1", ["low", "high"]),
        ("MountainCar-v0", ["low", "high"]), ("MountainCarContinuous-v0", ["low", "high"]), ("Pendulum-v1", ["x_init", "y_init"]),
    ])
    func absurdOptionsAreRejected(id: String, keys: [String]) throws {
        let spec = try #require(ClassicControl.specs.first { $0.id == id })
        let env = try spec.make()
        var observation = [UInt8](repeating: 0, count: spec.observationSpace.byteCount)
        for value in Self.absurd {
            // Both bounds at once (Acrobot's low = high = 1e20 wedged a worker), and each alone.
            let cases: [ValueMap] = [Dictionary(uniqueKeysWithValues: keys.map { ($0, Value.number(value)) })]
                + keys.map { [$0: .number(value)] }
            for options in cases {
                let error = try #require(throws: GymError.self, "\(id) \(options)") {
                    try observation.withUnsafeMutableBytes { _ = try env.reset(seed: 0, options: options, observation: $0) }
                }
                #expect(error.code == .invalidArgument)
            }
        }
        // The largest documented options still work.
        let edge: ValueMap = id == "Pendulum-v1" ? ["x_init": .number(1000), "y_init": .number(1000)]
            : ["low": .number(-1000), "high": .number(1000)]
        try observation.withUnsafeMutableBytes { _ = try env.reset(seed: 0, options: edge, observation: $0) }
    }

    /// Acrobot started at the edge of the documented options steps in bounded time, angles wrapped.
    @Test func acrobotAtTheEdgeSteps() throws {
        let env = Acrobot()
        var observation = [UInt8](repeating: 0, count: Acrobot.observationSpace.byteCount)
        let action = [Int64(1)]
        for bound in [1000.0, -1000.0] {
            _ = try observation.withUnsafeMutableBytes {
                try env.reset(seed: 1, options: ["low": .number(bound), "high": .number(bound)], observation: $0)
            }
            for _ in 0..<3 {
                _ = try action.withUnsafeBytes { raw in try observation.withUnsafeMutableBytes { try env.step(action: raw, observation: $0) } }
            }
        }
    }

    /// Gymnasium's loop, for comparison.
    static func gymnasiumWrap(_ value: Double, _ low: Double, _ high: Double) -> Double {
        let span = high - low
        var wrapped = value
        while wrapped > high { wrapped = wrapped - span }
        while wrapped < low { wrapped = wrapped + span }
        return wrapped
    }

    @Test func wrapIsGymnasiumsLoopWithinManyTurns() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let value = Double.random(in: -60 * Double.pi...60 * Double.pi, using: &random)
            let ours = Acrobot.wrap(value, -.pi, .pi)
            #expect(ours.bitPattern == Self.gymnasiumWrap(value, -.pi, .pi).bitPattern, "\(value)")
        }
        for value in [Double.pi, -Double.pi, 0, 3 * Double.pi, -3 * Double.pi, .nan, Double.ulpOfOne] {
            #expect(Acrobot.wrap(value, -.pi, .pi).bitPattern == Self.gymnasiumWrap(value, -.pi, .pi).bitPattern)
        }
    }

    /// Where Gymnasium's loop never ends, ours answers at once, inside the range (or NaN for ±inf).
    @Test func wrapIsTotal() {
        for value in [1e20, -1e20, 1e300, -Double.greatestFiniteMagnitude, 1e6, 65 * 2 * Double.pi + 0.5] {
            let wrapped = Acrobot.wrap(value, -.pi, .pi)
            #expect(wrapped >= -.pi && wrapped <= .pi, "\(value) → \(wrapped)")
        }
        #expect(Acrobot.wrap(.infinity, -.pi, .pi).isNaN)
        #expect(Acrobot.wrap(-.infinity, -.pi, .pi).isNaN)
    }
}
