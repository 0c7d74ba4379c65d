import Agents
import Foundation
import GymCore
import NeuralNet
import Testing

@Suite struct ContinuousPolicyTests {
    private func pendulumLayout(_ daemon: TestDaemon) throws -> ContinuousSpaceLayout {
        let spec = try #require(try daemon.connection.listEnvs().first { $0.id == "Pendulum-v1" })
        return try ContinuousSpaceLayout(spec)
    }

    /// A small untrained actor for Pendulum-v1 (3 features, 1 torque in [-2, 2]).
    private func actor(seed: UInt64, output: Activation = .tanh, layout: ContinuousSpaceLayout) -> ContinuousActorPolicy {
        var random = SeededRNG(seed: seed)
        let network = MLP(sizes: [3, 16, 1], activation: .relu, outputActivation: output, rng: &random)
        return ContinuousActorPolicy(network: network, observationScaling: layout.observationScaling,
                                     actionLow: layout.actionLow, actionHigh: layout.actionHigh)
    }

    /// Observations spread over Pendulum's range.
    private func probes(_ count: Int) -> [Float] {
        var random = SeededRNG(seed: 12)
        return (0..<count).flatMap { _ in
            [random.nextUniform(low: -1, high: 1), random.nextUniform(low: -1, high: 1), random.nextUniform(low: -8, high: 8)]
        }
    }

    @Test func boundsMapOntoTheUnitBoxAndUnboundedFeaturesPassThrough() {
        let scaling = BoxScaling(low: [-2, 0, -.infinity], high: [2, 10, .infinity])
        #expect(scaling.normalize([-2, 0, 5, 2, 10, -7]) == [-1, -1, 5, 1, 1, -7])
        #expect(scaling.denormalize([0.5, 0, 3]) == [1, 5, 3])
        #expect(!scaling.isIdentity && BoxScaling.identity(3).isIdentity)
    }

    @Test func pendulumHasAFloatBoxLayoutAndCartPoleDoesNot() throws {
        let daemon = try TestDaemon()
        let layout = try pendulumLayout(daemon)
        #expect(layout.observationSize == 3 && layout.actionSize == 1)
        #expect(layout.actionLow == [-2] && layout.actionHigh == [2])
        #expect(layout.observationScaling.halfWidth == [1, 1, 8])
        let cartPole = try #require(try daemon.connection.listEnvs().first { $0.id == "CartPole-v1" })
        #expect(throws: AgentError.self) { try ContinuousSpaceLayout(cartPole) }
    }

    @Test func actionsStayInsideTheBoundsEvenFromAnUnboundedOutput() throws {
        let daemon = try TestDaemon()
        let layout = try pendulumLayout(daemon)
        let policy = actor(seed: 3, output: .identity, layout: layout)
        for layer in policy.network.layers { layer.weight.value.data = layer.weight.value.data.map { $0 * 20 } }
        let actions = policy.continuousActions(probes(400), count: 400)
        #expect(actions.count == 400)
        #expect(actions.allSatisfy { $0 >= -2 && $0 <= 2 })
        #expect(actions.contains(-2) && actions.contains(2), "large outputs should be clamped to both bounds")
        #expect(policy.bounded([-1, 0, 0.5, 1, 3]) == [-2, 0, 1, 2, 2])
    }

    @Test func anActorRoundTripsThroughItsFileWithTheSameActions() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let daemon = try TestDaemon()
        let policy = actor(seed: 5, layout: try pendulumLayout(daemon))
        let url = directory.appendingPathComponent("actor.safetensors")
        let metadata = PolicyMetadata(algo: "ddpg", env: "Pendulum-v1", policy: policy.checkpoint.kind, observationSpace: "Box(3,)",
                                      actionSpace: "Box(-2.0, 2.0, (1,), float32)", observationSize: 3, actionCount: 1, seed: 7,
                                      structure: policy.checkpoint.structure, hyperparameters: ["tau": .double(0.005)], evaluation: nil)
        try PolicyFile.save(policy, metadata: metadata, to: url)

        let (loaded, readBack) = try PolicyFile.load(from: url)
        // Whole-number bounds read back as ints (JSON has one number type); the loader takes either.
        #expect(readBack.policy == "continuous_actor" && readBack.hyperparameters == metadata.hyperparameters)
        #expect(readBack.structure["action_low"] == .ints([-2]) && readBack.structure["observation_half_width"] == .ints([1, 1, 8]))
        let actor = try #require(loaded as? ContinuousActorPolicy)
        #expect(actor.network.outputActivation == .tanh)
        #expect(actor.observationScaling == policy.observationScaling)
        #expect(actor.actionLow == [-2] && actor.actionHigh == [2])
        let observations = probes(300)
        #expect(loaded.actions(observations, count: 300) == policy.actions(observations, count: 300))
        let actions = policy.continuousActions(observations, count: 300)
        #expect(Set(actions).count > 100, "the probes should give varied actions")

        let file = try SafeTensors.load(from: url)
        #expect(Set(file.tensors.keys) == ["0.weight", "0.bias", "2.weight", "2.bias"])
        #expect(file.metadata["policy"] == "continuous_actor")
    }

    @Test func evaluationPlaysBoxActionsAndRejectsAMismatchedPolicy() throws {
        let daemon = try TestDaemon()
        let policy = actor(seed: 8, layout: try pendulumLayout(daemon))
        let seeds = RunSeeds(4).evaluationEpisodes(3)
        let result = try GreedyEvaluation.run(policy, connection: daemon.connection, env: "Pendulum-v1", seeds: seeds)
        #expect(result.lengths == [200, 200, 200])
        #expect(result.returns.allSatisfy { $0 < 0 && $0 > -2000 })
        #expect(try GreedyEvaluation.run(policy, connection: daemon.connection, env: "Pendulum-v1", seeds: seeds, width: 2) == result)
        #expect(throws: AgentError.self) {
            try GreedyEvaluation.run(policy, connection: daemon.connection, env: "MountainCarContinuous-v0", seeds: seeds)
        }
        #expect(throws: AgentError.self) {
            try GreedyEvaluation.run(RandomPolicy(observationSize: 3, actionCount: 2, seed: 1), connection: daemon.connection,
                                     env: "Pendulum-v1", seeds: seeds)
        }
    }
}
