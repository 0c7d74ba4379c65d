// A libFuzzer harness for the safetensors loader as `gym eval --policy` uses it (issue 13,
// item 6): each input is a policy file's bytes, written to a file, loaded with PolicyFile (the
// safetensors decoder, the gym_policy metadata and the policy rebuilt from it), and a loaded
// policy asked for the actions of three observations.
import Agents
import Foundation
import FuzzSupport
import NeuralNet

/// This process's scratch file (a fresh name per process, so parallel runs never share one).
let scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("fuzz-safetensors-\(getpid()).safetensors")

func runSafeTensorsInput(_ bytes: [UInt8]) {
    // The decoder alone, then the whole path from a file.
    _ = try? SafeTensors.decode(bytes)
    guard FileManager.default.createFile(atPath: scratch.path, contents: Data(bytes)) else { return }
    defer { try? FileManager.default.removeItem(at: scratch) }
    guard let (policy, _) = try? PolicyFile.load(from: scratch) else { return }
    let observations = (0..<(3 * policy.observationSize)).map { Float($0 % 7) - 3 }
    _ = policy.actions(observations, count: 3)
}

/// A saved policy of every kind `PolicyFile` reads, as `gym train --save` writes them.
func safeTensorsSeeds() throws -> [(String, [UInt8])] {
    var random = SeededRNG(seed: 3)
    let discretizer = StateDiscretizer(bins: [3, 2, 2, 3], low: [-2.4, -3, -0.2, -3.5], high: [2.4, 3, 0.2, 3.5])
    let policies: [(String, any Policy)] = [
        ("q-network", QNetworkPolicy(network: MLP(sizes: [4, 6, 2], rng: &random))),
        ("categorical", CategoricalPolicy(network: MLP(sizes: [4, 5, 3, 2], rng: &random))),
        ("q-table", QTablePolicy(discretizer: discretizer!, actionCount: 2, initialBound: 1, seed: 2)),
        ("continuous-actor", ContinuousActorPolicy(network: MLP(sizes: [3, 4, 1], rng: &random),
                                                   observationScaling: BoxScaling(center: [0, 0, 0], halfWidth: [1, 1, 8]),
                                                   actionLow: [-2], actionHigh: [2])),
    ]
    let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("fuzz-safetensors-seeds-\(getpid())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try policies.map { name, policy in
        let metadata = PolicyMetadata(algo: "fuzz", env: "CartPole-v1", policy: policy.checkpoint.kind, observationSpace: "Box(4,)",
                                      actionSpace: "Discrete(2)", observationSize: policy.observationSize, actionCount: policy.actionCount,
                                      seed: 1, structure: policy.checkpoint.structure, hyperparameters: ["learning_rate": .double(0.001)],
                                      evaluation: nil)
        let url = directory.appendingPathComponent("\(name).safetensors")
        try PolicyFile.save(policy, metadata: metadata, to: url)
        return (name, [UInt8](try Data(contentsOf: url)))
    }
}

@main
enum SafeTensorsLoadHarness {
    static func main() throws { try FuzzHarness.main(seeds: safeTensorsSeeds, run: runSafeTensorsInput) }
}
