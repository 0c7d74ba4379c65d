import Foundation
import GymClient
import GymCore
import Logging
import NeuralNet

/// An Ape-X actor (Horgan et al. 2018): acts ε-greedily with its copy of the learner's Q
/// network, computes each transition's initial priority `|δ|` with that copy, writes batches of
/// transitions to the replay table, and fetches newer weights as the learner publishes them.
///
/// Every transition carries the weights' version it came from (column `version`), so the
/// learner can log how stale its samples are.
public enum ApeXActor {
    /// Runs until the learner says stop; returns the environment steps taken.
    public static func run(index: Int, settings: WorkerSettings, parameters: ParameterClient, connection: GymConnection,
                           buffer: BufferClient, logger: Logger) throws -> Int {
        let env = try settings.text("env")
        let table = try settings.text("table")
        let gamma = Float(try settings.double("gamma"))
        let epsilon = try settings.double("epsilon")
        let warmup = try settings.int("epsilon_decay_steps")
        let insertEvery = try settings.int("insert_every")
        let syncEvery = try settings.int("sync_every")
        let hidden = try settings.ints("hidden_sizes")
        let seeds = RunSeeds(UInt64(try settings.int("seed")) &+ UInt64(index) &* 7919)

        let rollout = try VectorRollout(connection: connection, env: env, kwargs: try settings.map("env_args"), count: try settings.int("num_envs"), seed: seeds.trainingEnvironments)
        defer { rollout.close() }
        let layout = rollout.layout
        var initRandom = SeededRNG(seed: seeds.initialization)
        let network = MLP(sizes: [layout.observationSize] + hidden + [layout.actionCount], activation: .relu, rng: &initRandom)
        let policy = QNetworkPolicy(network: network)
        var explore = EpsilonGreedy(seed: seeds.exploration)
        // Early on every actor explores fully, then settles at its own ε.
        let schedule = ExplorationSchedule.linear(start: 1, end: epsilon, steps: warmup)

        var version: UInt64 = 0
        func sync(wait: Double) throws -> Bool {
            let weights = try parameters.fetch(newerThan: version, wait: wait)
            if !weights.safetensors.isEmpty {
                try network.load(stateDict: SafeTensors.decode(weights.safetensors).tensors)
                version = weights.version
            }
            return weights.stop
        }
        if try sync(wait: 30) { return 0 }
        logger.info("actor \(index): ε \(epsilon), weights version \(version)")

        var pending = TransitionColumns(observationSize: layout.observationSize)
        var stats = EpisodeStats()
        var steps = 0
        var sinceSync = 0
        while true {
            let greedy = policy.greedyActions(rollout.observations, count: rollout.count)
            let t = try rollout.step(actions: explore.choose(greedy: greedy, actionCount: layout.actionCount,
                                                             epsilon: schedule.epsilon(step: steps, episode: 0)))
            steps += rollout.count
            sinceSync += rollout.count
            pending.append(t, version: version)
            stats.envSteps += rollout.count
            for episode in t.finished {
                stats.append(episodeReturn: episode.episodeReturn, length: episode.length)
            }
            guard pending.count >= insertEvery else { continue }
            let priorities = pending.priorities(network: network, gamma: gamma)
            // The learner's rate limiter may hold inserts back while it catches up: keep asking,
            // and between tries ask the learner whether the run is over.
            let columns = pending.columns
            while true {
                do {
                    _ = try buffer.insert(table: table, columns: columns, priorities: priorities, timeout: 1)
                    break
                } catch let error as GymError where error.code == .timedOut {
                    if try parameters.report(worker: index, version: version, stats: EpisodeStats()).stop { return steps }
                }
            }
            pending = TransitionColumns(observationSize: layout.observationSize)
            let (_, stop) = try parameters.report(worker: index, version: version, stats: stats)
            stats = EpisodeStats()
            if stop { return steps }
            if sinceSync >= syncEvery {
                sinceSync = 0
                if try sync(wait: 0) { return steps }
            }
        }
    }
}
