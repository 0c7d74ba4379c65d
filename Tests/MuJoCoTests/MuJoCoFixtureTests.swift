import Foundation
import GymCore
import Testing

/// Gymnasium 1.4's MuJoCo episodes replayed through the plugin, as the daemon runs them
/// (EnvBatch over the loaded library, time limit included), bit for bit: the first observation
/// in full, then every step's observation, reward, terminated, truncated and info values.
@Suite struct MuJoCoFixtureTests {
    @Test(arguments: MuJoCoPluginUnderTest.ids)
    func replaysGymnasiumBitForBit(id: String) throws {
        let fixture = try MuJoCoFixture.load(id)
        let spec = try MuJoCoPluginUnderTest.spec(id)
        guard case .box(let low, let high, _, .float32) = spec.actionSpace else {
            Issue.record("\(id): action space \(spec.actionSpace) is not a float32 box")
            return
        }
        #expect(fixture.episodes.count >= 5)
        for episode in fixture.episodes {
            let batch = try EnvBatch(spec: spec, count: 1, autoreset: .disabled)
            try batch.reset(seeds: [episode.seed])
            #expect(batch.observations == [UInt8](hex: episode.first_observation), "\(id) seed \(episode.seed): first observation")
            var resetHash = FNV1a()
            let resetInfo = batch.infos.first?.info ?? [:]
            resetHash.add(resetInfo)
            #expect(resetInfo.keys.sorted() == episode.reset_info_keys, "\(id) seed \(episode.seed): reset info keys")
            #expect(resetHash.hex == episode.reset_info, "\(id) seed \(episode.seed): reset info values")

            var actions = NumPyGenerator(seed: episode.action_seed)
            let expected = episode.steps.split(separator: " ").map(String.init)
            var infoKeys: [String] = []
            var matched = true
            for (index, hash) in expected.enumerated() {
                let values = zip(low, high).map { Float($0 + ($1 - $0) * actions.random()) }
                let bytes = values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init) }
                try batch.step(actions: [NDArray(dtype: .float32, shape: [1, values.count], bytes: bytes)])
                let info = batch.infos.first?.info ?? [:]
                infoKeys = info.keys.sorted()
                var step = FNV1a()
                step.add(batch.observations)
                step.add(batch.rewards[0])
                step.add([batch.terminated[0], batch.truncated[0]])
                step.add(info)
                guard step.hex == hash else {
                    Issue.record("\(id) seed \(episode.seed): step \(index + 1) of \(expected.count) differs (reward \(batch.rewards[0]), terminated \(batch.terminated[0]), truncated \(batch.truncated[0]), info \(info))")
                    matched = false
                    break
                }
            }
            guard matched else { continue }
            let ended = batch.terminated[0] != 0 || batch.truncated[0] != 0
            #expect(ended || expected.count == 1000, "\(id) seed \(episode.seed): the episode goes on after Gymnasium's ended")
            #expect(infoKeys == episode.step_info_keys, "\(id) seed \(episode.seed): step info keys")
        }
    }
}
