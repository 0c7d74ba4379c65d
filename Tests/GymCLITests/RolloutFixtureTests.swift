import Foundation
import GymTestSupport
import Testing

/// `gym rollout --actions-file` prints exactly Gymnasium's episode for every classic-control env,
/// seeds 0 to 9: the recorded random episodes of Tests/EnvironmentTests/Fixtures, replayed
/// through the CLI, compared bit for bit.
@Suite struct RolloutFixtureTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../EnvironmentTests/Fixtures").standardized
    static let envIDs = ["CartPole-v0", "CartPole-v1", "Pendulum-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Acrobot-v1"]

    struct Episode {
        let seed: Int
        let actions: [Any]
        let resetObservation: [UInt32]
        let observations: [[UInt32]]
        let rewards: [UInt64]
        let terminated: [Bool]
        let truncated: [Bool]
    }

    static func episodes(_ id: String) throws -> [Episode] {
        let data = try Data(contentsOf: fixtures.appendingPathComponent("\(id).json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let all = try #require(root["episodes"] as? [[String: Any]])
        return all.compactMap { entry -> Episode? in
            guard entry["policy"] as? String == "random", let seed = entry["seed"] as? Int, (0...9).contains(seed),
                  (entry["options"] as? [String: Any])?.isEmpty ?? true else { return nil }
            let bits = { (value: Any?) in (value as? [Any] ?? []).map { UInt32(($0 as? NSNumber)?.uint32Value ?? 0) } }
            return Episode(
                seed: seed,
                actions: entry["actions"] as? [Any] ?? [],
                resetObservation: bits(entry["reset_observation"]),
                observations: (entry["observations"] as? [Any] ?? []).map(bits),
                rewards: (entry["rewards"] as? [String] ?? []).compactMap { UInt64($0, radix: 16) },
                terminated: entry["terminated"] as? [Bool] ?? [],
                truncated: entry["truncated"] as? [Bool] ?? [])
        }
    }

    /// The actions as the CLI reads them: ints, or arrays of the float32 values written exactly.
    static func actionsJSON(_ actions: [Any]) -> String {
        let items = actions.map { action -> String in
            if let values = action as? [Any] {
                let floats = values.map { Double(Float(bitPattern: UInt32(($0 as? NSNumber)?.uint32Value ?? 0))).description }
                return "[" + floats.joined(separator: ", ") + "]"
            }
            return "\((action as? NSNumber)?.int64Value ?? 0)"
        }
        return "[" + items.joined(separator: ", ") + "]"
    }

    /// The float32 bit patterns of a printed `"obs": [...]` list, parsed straight to Float.
    static func observationBits(_ line: String) -> [UInt32] {
        guard let start = line.range(of: "\"obs\": [") else { return [] }
        return line[start.upperBound...].prefix { $0 != "]" }.split(separator: ",")
            .compactMap { Float($0.trimmingCharacters(in: .whitespaces))?.bitPattern }
    }

    static func number(after key: String, in line: String) -> Double? {
        guard let start = line.range(of: key) else { return nil }
        return Double(String(line[start.upperBound...].prefix { $0 != "," && $0 != "}" }))
    }

    @Test(arguments: envIDs)
    func rolloutMatchesGymnasium(id: String) throws {
        let episodes = try Self.episodes(id)
        #expect(episodes.map(\.seed).sorted() == Array(0...9))
        for episode in episodes {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(id)-\(episode.seed)-\(UUID()).json")
            try Data(Self.actionsJSON(episode.actions).utf8).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let run = try gym(["rollout", "--env", id, "--seed", "\(episode.seed)", "--actions-file", file.path])
            #expect(run.status == 0, "\(run.stderr)")
            let lines = run.lines
            #expect(lines.count == episode.observations.count + 1, "\(id) seed \(episode.seed): episode length differs")
            guard lines.count == episode.observations.count + 1 else { continue }
            #expect(Self.observationBits(lines[0]) == episode.resetObservation, "\(id) seed \(episode.seed): reset")
            for (t, line) in lines.dropFirst().enumerated() {
                let step = try #require(json(line))
                // Foundation's JSON parser is not always correctly rounded; Swift's Double(String) is.
                let reward = Self.number(after: "\"reward\": ", in: line) ?? .nan
                let same = Self.observationBits(line) == episode.observations[t]
                    && reward.bitPattern == episode.rewards[t]
                    && step["terminated"] as? Bool == episode.terminated[t]
                    && step["truncated"] as? Bool == episode.truncated[t]
                #expect(same, "\(id) seed \(episode.seed) differs at step \(t + 1)")
                if !same { break }
            }
        }
    }
}
