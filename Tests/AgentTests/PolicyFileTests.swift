import Agents
import Foundation
import NeuralNet
import Testing

@Suite struct PolicyFileTests {
    private func metadata(_ policy: any GreedyPolicy, algo: String) -> PolicyMetadata {
        PolicyMetadata(algo: algo, env: "CartPole-v1", policy: policy.checkpoint.kind, observationSpace: "Box(4,)",
                       actionSpace: "Discrete(2)", observationSize: policy.observationSize, actionCount: policy.actionCount,
                       seed: 42, structure: policy.checkpoint.structure,
                       hyperparameters: ["learning_rate": .double(0.00025), "hidden_sizes": .ints([16, 8]), "double_dqn": .bool(true)],
                       evaluation: .init(episodes: 20, mean: 123.45, std: 6.5))
    }

    /// Observations spread over CartPole's range, to compare greedy actions on.
    private func probes(_ count: Int) -> [Float] {
        var random = SeededRNG(seed: 9)
        return (0..<(count * 4)).map { _ in random.nextUniform(low: -2.5, high: 2.5) }
    }

    @Test func networkRoundTripsWithTheSameActions() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var random = SeededRNG(seed: 4)
        let policy = QNetworkPolicy(network: MLP(sizes: [4, 16, 8, 2], rng: &random))
        let url = directory.appendingPathComponent("dqn.safetensors")
        let saved = metadata(policy, algo: "dqn")
        try PolicyFile.save(policy, metadata: saved, to: url)

        let (loaded, readBack) = try PolicyFile.load(from: url)
        #expect(readBack == saved)
        let observations = probes(500)
        #expect(loaded.actions(observations, count: 500) == policy.actions(observations, count: 500))
        #expect(Set(policy.greedyActions(observations, count: 500)).count == 2, "the probes should exercise both actions")

        // The safetensors file stands alone: PyTorch names and the metadata in its header.
        let file = try SafeTensors.load(from: url)
        #expect(Set(file.tensors.keys) == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"])
        #expect(file.metadata["algo"] == "dqn" && file.metadata["env"] == "CartPole-v1")
        let sidecar = try JSONSerialization.jsonObject(with: Data(contentsOf: PolicyFile.sidecar(of: url))) as? [String: Any]
        #expect(sidecar?["algo"] as? String == "dqn")
        #expect((sidecar?["hyperparameters"] as? [String: Any])?["learning_rate"] as? Double == 0.00025)
    }

    @Test func tableRoundTripsWithTheSameActions() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let discretizer = try #require(StateDiscretizer.cartPole())
        let policy = QTablePolicy(discretizer: discretizer, actionCount: 2, initialBound: 1, seed: 5)
        let url = directory.appendingPathComponent("table.safetensors")
        try PolicyFile.save(policy, metadata: metadata(policy, algo: "qlearning"), to: url)
        let (loaded, readBack) = try PolicyFile.load(from: url)
        #expect(readBack.policy == "q_table")
        let table = try #require(loaded as? QTablePolicy)
        #expect(table.discretizer == discretizer)
        #expect(table.values == policy.values)
        let observations = probes(500)
        #expect(loaded.actions(observations, count: 500) == policy.actions(observations, count: 500))
    }

    @Test func foreignFilesAreRejected() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("plain.safetensors")
        try SafeTensors.save(["w": Tensor.zeros([2, 2])], to: url)
        #expect(throws: AgentError.self) { try PolicyFile.load(from: url) }
        #expect(throws: AgentError.self) { try PolicyFile.load(from: directory.appendingPathComponent("missing.safetensors")) }
    }
}
