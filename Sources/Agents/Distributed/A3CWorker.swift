import Foundation
import GymClient
import GymCore
import Logging
import NeuralNet

/// An A3C worker process's loop: n steps on its environments with its copy of the global
/// network, the gradients of the actor-critic loss on them pushed to the learner, the newest
/// weights taken from the reply.
public enum A3CWorker {
    /// Runs until the learner says stop; returns the environment steps taken.
    public static func run(index: Int, settings: WorkerSettings, parameters: ParameterClient, connection: GymConnection,
                           logger: Logger) throws -> Int {
        let env = try settings.text("env")
        let nSteps = try settings.int("n_steps")
        let gamma = Float(try settings.double("gamma"))
        let entropyCoefficient = Float(try settings.double("entropy_coefficient"))
        let valueCoefficient = Float(try settings.double("value_coefficient"))
        let seeds = RunSeeds(UInt64(try settings.int("seed")) &+ UInt64(index) &* 7919)
        let rollout = try VectorRollout(connection: connection, env: env, kwargs: try settings.map("env_args"), count: try settings.int("num_envs"), seed: seeds.trainingEnvironments)
        defer { rollout.close() }
        let layout = rollout.layout
        var initRandom = SeededRNG(seed: seeds.initialization)
        let network = A3C.network(layout, hiddenSizes: try settings.ints("hidden_sizes"), rng: &initRandom)
        let loss = ActorCriticLoss(valueCoefficient: valueCoefficient, entropyCoefficient: entropyCoefficient)
        var random = SeededRNG(seed: seeds.exploration)
        let graph = Graph()
        let count = rollout.count

        var weights = try parameters.fetch(newerThan: 0, wait: 30)
        guard !weights.stop else { return 0 }
        try network.load(stateDict: SafeTensors.decode(weights.safetensors).tensors)
        logger.info("worker \(index): weights version \(weights.version)")
        var steps = 0
        var stats = EpisodeStats()
        while true {
            // n steps on every environment, actions drawn from the policy.
            var observations: [Float] = [], nextObservations: [Float] = [], actions: [Int] = []
            var rewards: [Float] = [], terminated: [Bool] = [], truncated: [Bool] = []
            for _ in 0..<nSteps {
                let logits = network.predict(network.input(rollout.observations, count: count)).policy
                let t = try rollout.step(actions: CategoricalDistribution.sample(logits: logits, random: &random).actions)
                observations += t.observations
                nextObservations += t.nextObservations
                actions += t.actions
                rewards += t.rewards.map(Float.init)
                terminated += t.terminated
                truncated += t.truncated
                steps += count
                stats.envSteps += count
                for episode in t.finished {
                    stats.append(episodeReturn: episode.episodeReturn, length: episode.length)
                }
            }
            // n-step returns, bootstrapped from the value of where each env got to (and of the
            // final observation where the time limit cut an episode).
            let rows = nSteps * count
            let nextValues = network.predict(network.input(nextObservations, count: rows)).value
            var returns = [Float](repeating: 0, count: rows)
            for env in 0..<count {
                var running = nextValues[(nSteps - 1) * count + env]
                for step in stride(from: nSteps - 1, through: 0, by: -1) {
                    let row = step * count + env
                    if terminated[row] {
                        running = 0
                    } else if truncated[row] {
                        running = nextValues[row]
                    }
                    running = rewards[row] + gamma * running
                    returns[row] = running
                }
            }
            // A2C's loss (policy loss + value loss − entropy bonus) on them, and its gradients.
            let values = network.predict(network.input(observations, count: rows)).value
            graph.reset()
            let terms = loss(network, graph: graph, observations: observations, actions: actions.map(Float.init),
                             returns: returns, advantages: (0..<rows).map { returns[$0] - values[$0] }, count: rows)
            network.zeroGrad()
            graph.backward(terms.total)
            let gradients = try SafeTensors.encode(Dictionary(uniqueKeysWithValues: network.namedParameters.map { ($0.name, $0.parameter.grad) }))
            weights = try parameters.push(gradients: gradients, from: weights.version, worker: index, stats: stats)
            stats = EpisodeStats()
            if weights.stop { return steps }
            try network.load(stateDict: SafeTensors.decode(weights.safetensors).tensors)
        }
    }
}
