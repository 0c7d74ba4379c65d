@testable import ClassicControl
import Foundation
import Testing
@testable import GymCore

/// Replays episodes recorded from Gymnasium (`Fixtures/make_gymnasium_fixtures.py`) through
/// `EnvBatch`, so the daemon's time limit is part of what is compared, and checks every
/// observation, reward and flag bit for bit.
@Suite struct GymnasiumFixtureTests {
    static let environmentIDs = [
        "CartPole-v0", "CartPole-v1", "Pendulum-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Acrobot-v1",
    ]

    @Test(arguments: environmentIDs)
    func episodesMatchGymnasiumBitForBit(id: String) throws {
        let fixture = try Fixture.load(id)
        let spec = try #require(ClassicControl.specs.first { $0.id == id })
        #expect(spec.maxEpisodeSteps == fixture.maxEpisodeSteps)
        #expect(fixture.episodes.count >= 10)
        for episode in fixture.episodes {
            let problem = try Self.replay(episode, spec: spec)
            #expect(problem == nil, "\(id) seed \(episode.seed) (\(episode.policy)): \(problem ?? "")")
        }
    }

    @Test(arguments: environmentIDs)
    func resetObservationsMatchGymnasiumBitForBit(id: String) throws {
        let fixture = try Fixture.load(id)
        let spec = try #require(ClassicControl.specs.first { $0.id == id })
        let env = try spec.make()
        var observation = [UInt8](repeating: 0, count: spec.observationSpace.byteCount)
        for sweep in fixture.resetSweeps {
            var mismatches: [UInt64] = []
            for (index, expected) in sweep.observations.enumerated() {
                let seed = sweep.firstSeed + UInt64(index)
                _ = try observation.withUnsafeMutableBytes { try env.reset(seed: seed, options: sweep.valueOptions, observation: $0) }
                if Self.bitPatterns(observation) != expected { mismatches.append(seed) }
            }
            #expect(mismatches.isEmpty, "\(id) options \(sweep.options): reset differs for seeds \(mismatches.prefix(10))")
        }
    }

    @Test func invalidResetOptionsAreRejectedAsGymnasiumDoes() throws {
        let bad: [(String, ValueMap)] = [
            ("CartPole-v1", ["low": .number(0.1), "high": .number(-0.1)]),
            ("MountainCar-v0", ["low": .number(-0.4), "high": .number(-0.6)]),
            ("MountainCarContinuous-v0", ["low": .text("left")]),
            ("Acrobot-v1", ["low": .number(-Double.greatestFiniteMagnitude), "high": .number(Double.greatestFiniteMagnitude)]),
            ("Pendulum-v1", ["x_init": .number(-1)]),
        ]
        for (id, options) in bad {
            let spec = try #require(ClassicControl.specs.first { $0.id == id })
            let env = try spec.make()
            var observation = [UInt8](repeating: 0, count: spec.observationSpace.byteCount)
            #expect(throws: GymError.self, "\(id) \(options)") {
                try observation.withUnsafeMutableBytes { _ = try env.reset(seed: 0, options: options, observation: $0) }
            }
        }
    }

    @Test func fixturesRecordTheirVersions() throws {
        for id in Self.environmentIDs {
            let fixture = try Fixture.load(id)
            #expect(fixture.envID == id)
            #expect(fixture.gymnasiumVersion.hasPrefix("1."), "\(id) was recorded with gymnasium \(fixture.gymnasiumVersion)")
            #expect(!fixture.numpyVersion.isEmpty)
        }
    }

    /// The NumPy scalar operations the ports rely on, against NumPy's own results: `x ** 2`
    /// through libm's pow (not `x * x`), float32 sin/cos through NumPy's kernel (not libm's),
    /// and Python's float `%`.
    @Test func numpyScalarOperationsMatchNumPy() throws {
        let url = try #require(Bundle.module.url(forResource: "numpy-scalars", withExtension: "json", subdirectory: "Fixtures"))
        let checks = try JSONDecoder().decode([String: StringOrNumbers].self, from: Data(contentsOf: url))
        func doubles(_ key: String) throws -> [Double] {
            try #require(checks[key]?.hex).map { Double(bitPattern: UInt64($0, radix: 16) ?? 0) }
        }
        func floats(_ key: String) throws -> [Float] {
            try #require(checks[key]?.bits).map { Float(bitPattern: $0) }
        }
        let inputs = try doubles("float64")
        let squares = try doubles("float64_squared")
        let normalized = try doubles("float64_angle_normalized")
        var squareMisses = 0, plainProductMisses = 0, normalizeMisses = 0
        for (index, x) in inputs.enumerated() {
            if NumPyMath.pow(x, 2).bitPattern != squares[index].bitPattern { squareMisses += 1 }
            if (x * x).bitPattern != squares[index].bitPattern { plainProductMisses += 1 }
            if Pendulum.angleNormalize(x).bitPattern != normalized[index].bitPattern { normalizeMisses += 1 }
        }
        #expect(squareMisses == 0 && normalizeMisses == 0)
        // The check only means something if x * x would have failed it.
        #expect(plainProductMisses > 0)

        let singles = try floats("float32")
        let singleSquares = try floats("float32_squared")
        let sines = try floats("float32_sin")
        let cosines = try floats("float32_cos")
        var singleMisses = 0, trigMisses = 0, libmTrigMisses = 0
        for (index, x) in singles.enumerated() {
            if NumPyMath.powf(x, 2).bitPattern != singleSquares[index].bitPattern { singleMisses += 1 }
            if NumPyMath.sin(x).bitPattern != sines[index].bitPattern || NumPyMath.cos(x).bitPattern != cosines[index].bitPattern {
                trigMisses += 1
            }
            if Float(sin(Double(x))).bitPattern != sines[index].bitPattern { libmTrigMisses += 1 }
        }
        #expect(singleMisses == 0 && trigMisses == 0)
        #expect(libmTrigMisses > 0)
    }

    /// A value of `numpy-scalars.json`: hex strings, numbers or a version string.
    enum StringOrNumbers: Decodable {
        case text(String), hex([String]), bits([UInt32])

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self = .text(text)
            } else if let hex = try? container.decode([String].self) {
                self = .hex(hex)
            } else {
                self = .bits(try container.decode([UInt32].self))
            }
        }

        var hex: [String]? { if case .hex(let values) = self { values } else { nil } }
        var bits: [UInt32]? { if case .bits(let values) = self { values } else { nil } }
    }

    /// The first difference between the Swift episode and the recorded one, or nil.
    static func replay(_ episode: Fixture.Episode, spec: EnvSpec) throws -> String? {
        let batch = try EnvBatch(spec: spec, count: 1, autoreset: .disabled)
        try batch.reset(seeds: [episode.seed], options: episode.valueOptions)
        if bitPatterns(batch.observations) != episode.resetObservation {
            return "reset observation \(bitPatterns(batch.observations)) != \(episode.resetObservation)"
        }
        let actionLeaf = spec.actionSpace
        for (step, action) in episode.actions.enumerated() {
            try batch.step(actions: [action.array(for: actionLeaf)])
            let observation = bitPatterns(batch.observations)
            if observation != episode.observations[step] {
                return "step \(step + 1): observation \(observation) != \(episode.observations[step])"
            }
            let reward = batch.rewards[0]
            if reward.bitPattern != episode.rewardBits[step] {
                return "step \(step + 1): reward \(reward) (\(String(reward.bitPattern, radix: 16))) != \(episode.rewards[step])"
            }
            if (batch.terminated[0] != 0) != episode.terminated[step] || (batch.truncated[0] != 0) != episode.truncated[step] {
                return "step \(step + 1): terminated/truncated \(batch.terminated[0])/\(batch.truncated[0]) != \(episode.terminated[step])/\(episode.truncated[step])"
            }
        }
        if let last = episode.actions.indices.last, !(episode.terminated[last] || episode.truncated[last]) {
            return "the recorded episode does not end"
        }
        return nil
    }

    /// Observation bytes as float32 bit patterns.
    static func bitPatterns(_ bytes: [UInt8]) -> [UInt32] {
        bytes.withUnsafeBytes { raw in
            (0..<(raw.count / 4)).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self) }
        }
    }
}

/// One fixture file, as `make_gymnasium_fixtures.py` writes it.
struct Fixture: Decodable {
    var envID: String
    var gymnasiumVersion: String
    var numpyVersion: String
    var maxEpisodeSteps: Int
    var episodes: [Episode]
    var resetSweeps: [ResetSweep]

    enum CodingKeys: String, CodingKey {
        case envID = "env_id", gymnasiumVersion = "gymnasium_version", numpyVersion = "numpy_version"
        case maxEpisodeSteps = "max_episode_steps", episodes, resetSweeps = "reset_sweeps"
    }

    struct Episode: Decodable {
        var seed: UInt64
        var policy: String
        var options: [String: Double]
        var resetObservation: [UInt32]
        var actions: [Action]
        var observations: [[UInt32]]
        /// float64 bit patterns as 16 hex digits.
        var rewards: [String]
        var terminated: [Bool]
        var truncated: [Bool]

        enum CodingKeys: String, CodingKey {
            case seed, policy, options, resetObservation = "reset_observation", actions, observations, rewards, terminated, truncated
        }

        var rewardBits: [UInt64] { rewards.map { UInt64($0, radix: 16) ?? 0 } }
        var valueOptions: ValueMap { options.mapValues { .number($0) } }
    }

    struct ResetSweep: Decodable {
        var options: [String: Double]
        var firstSeed: UInt64
        var observations: [[UInt32]]

        enum CodingKeys: String, CodingKey {
            case options, firstSeed = "first_seed", observations
        }

        var valueOptions: ValueMap { options.mapValues { .number($0) } }
    }

    /// A Discrete action (an integer) or a float32 Box action (bit patterns).
    enum Action: Decodable {
        case discrete(Int64)
        case box([UInt32])

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Int64.self) {
                self = .discrete(value)
            } else {
                self = .box(try container.decode([UInt32].self))
            }
        }

        /// The action as a batch of one for `EnvBatch.step`.
        func array(for space: Space) -> NDArray {
            switch self {
            case .discrete(let value):
                return NDArray(dtype: .int64, shape: [1], bytes: withUnsafeBytes(of: value.littleEndian) { Array($0) })
            case .box(let bits):
                let bytes = bits.flatMap { bit in withUnsafeBytes(of: bit.littleEndian) { Array($0) } }
                return NDArray(dtype: .float32, shape: [1] + space.shape, bytes: bytes)
            }
        }
    }

    static func load(_ id: String) throws -> Fixture {
        let url = try #require(Bundle.module.url(forResource: id, withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }
}
