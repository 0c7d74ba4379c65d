import GymCore
import GymPlugin
import MuJoCo
import Testing

/// The MuJoCo plugin as the daemon loads it: every environment, the conformance suite over
/// each, kwargs checked, and frames.
@Suite struct MuJoCoPluginTests {
    @Test func servesEveryGymnasiumMuJoCoEnvironment() throws {
        let plugin = try PluginLoader.load(path: MuJoCoPluginUnderTest.path)
        #expect(plugin.name == "MuJoCo")
        #expect(plugin.skipped.isEmpty, "skipped: \(plugin.skipped)")
        #expect(Set(plugin.specs.map(\.id)) == Set(MuJoCoPluginUnderTest.ids))
    }

    @Test(arguments: MuJoCoPluginUnderTest.ids)
    func conforms(id: String) throws {
        #expect(Conformance.check(try MuJoCoPluginUnderTest.spec(id)) == [])
    }

    /// Gymnasium's registrations: time limits, reward thresholds and space shapes.
    @Test func registrationsMatchGymnasium() throws {
        let expected: [String: (steps: Int, threshold: Double?, observation: Int, action: Int)] = [
            "HalfCheetah-v5": (1000, 4800, 17, 6), "Hopper-v5": (1000, 3800, 11, 3), "Walker2d-v5": (1000, nil, 17, 6),
            "InvertedPendulum-v5": (1000, 950, 4, 1), "InvertedDoublePendulum-v5": (1000, 9100, 9, 1),
            "Swimmer-v5": (1000, 360, 8, 2), "Reacher-v5": (50, -3.75, 10, 2), "Ant-v5": (1000, 6000, 105, 8),
            "Humanoid-v5": (1000, nil, 348, 17), "HumanoidStandup-v5": (1000, nil, 348, 17), "Pusher-v5": (100, 0, 23, 7),
        ]
        for (id, registration) in expected {
            let spec = try MuJoCoPluginUnderTest.spec(id)
            #expect(spec.maxEpisodeSteps == registration.steps, "\(id)")
            #expect(spec.rewardThreshold == registration.threshold, "\(id)")
            #expect(spec.observationSpace.shape == [registration.observation], "\(id)")
            #expect(spec.observationSpace.leaves.first?.dtype == .float64, "\(id)")
            #expect(spec.actionSpace.shape == [registration.action], "\(id)")
        }
    }

    @Test func kwargsChangeTheEpisodeAndBadOnesAreRefused() throws {
        let spec = try MuJoCoPluginUnderTest.spec("HalfCheetah-v5")
        func firstReward(_ kwargs: ValueMap) throws -> Double {
            let batch = try EnvBatch(spec: spec, count: 1, kwargs: kwargs, autoreset: .disabled)
            try batch.reset(seeds: [3])
            let action = [Float](repeating: 0.5, count: 6).flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init) }
            try batch.step(actions: [NDArray(dtype: .float32, shape: [1, 6], bytes: action)])
            return batch.rewards[0]
        }
        let base = try firstReward([:])
        // Six actions of 0.5 cost 0.1 · 1.5 at the default weight and 1.0 · 1.5 at weight 1.
        #expect(abs((base - (try firstReward(["ctrl_cost_weight": .number(1.0)]))) - 1.35) < 1e-6)
        #expect(try firstReward(["frame_skip": .integer(1)]) != base)
        for bad: ValueMap in [
            ["exclude_current_positions_from_observation": .flag(false)], ["frame_skip": .integer(0)],
            ["frame_skip": .integer(1_000_000)], ["ctrl_cost_weight": .number(.nan)], ["no_such_kwarg": .number(1)],
        ] {
            #expect(throws: GymError.self, "\(bad)") { _ = try spec.make(bad) }
        }
    }

    /// Frames where the machine has a headless OpenGL (EGL), NOT_SUPPORTED where it has none;
    /// python/tests/test_mujoco_render.py compares the frames with Gymnasium's pixel for pixel.
    @Test(arguments: ["Hopper-v5", "Ant-v5"])
    func rendersTheMovingBodyOrAnswersNotSupported(id: String) throws {
        let spec = try MuJoCoPluginUnderTest.spec(id)
        let batch = try EnvBatch(spec: spec, count: 1, kwargs: [:], autoreset: .disabled)
        try batch.reset(seeds: [3])
        guard let size = spec.renderSize else {
            #expect { _ = try batch.render(index: 0) } throws: { ($0 as? GymError)?.code == .notSupported }
            return
        }
        #expect(size.width == 480 && size.height == 480)
        let first = try batch.render(index: 0)
        #expect(first.width == 480 && first.height == 480 && first.pixels.count == 480 * 480 * 3)
        #expect(Set(stride(from: 0, to: first.pixels.count, by: 3).map { first.pixels[$0] }).count > 16, "a blank frame")
        #expect(try batch.render(index: 0) == first, "the same state draws the same frame")
        let count = spec.actionSpace.shape.reduce(1, *)
        let action = [Float](repeating: 0.8, count: count).flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init) }
        for _ in 0..<5 { try batch.step(actions: [NDArray(dtype: .float32, shape: [1, count], bytes: action)]) }
        #expect(try batch.render(index: 0) != first, "the body moved but the frame did not")
    }
}

/// A missing asset names every directory searched and the way to fix it.
@Suite struct MuJoCoAssetTests {
    @Test func aMissingAssetSaysWhereItLookedAndWhatToDo() throws {
        #expect(!MuJoCoAssets.searchPath.isEmpty)
        do {
            _ = try MuJoCoAssets.path(of: "no_such_model.xml")
            Issue.record("a missing asset was found")
        } catch let error as GymError {
            #expect(error.message.contains("no_such_model.xml"))
            #expect(error.message.contains(MuJoCoAssets.environmentVariable))
            for directory in MuJoCoAssets.searchPath { #expect(error.message.contains(directory)) }
        }
    }

    @Test func everyModelIsGymnasiumsInstalledFile() throws {
        for file in ["half_cheetah.xml", "hopper.xml", "walker2d_v5.xml", "ant.xml", "humanoid.xml", "pusher_v5.xml"] {
            #expect(try MuJoCoAssets.path(of: file).hasSuffix("gymnasium/envs/mujoco/assets/\(file)"))
        }
    }
}
