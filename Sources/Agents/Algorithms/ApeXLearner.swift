import Foundation
import GymClient
import GymCore
import Logging
import NeuralNet

/// The Ape-X learner (Horgan et al. 2018) behind `gym train dqn --actors N`: actor processes
/// with different ε write transitions with initial priorities to a prioritized replay table;
/// this learner samples prioritized batches, learns with importance-weighted double-DQN
/// targets, writes the new priorities back and publishes its weights on the parameter service.
///
/// The Q network, target network, ε-greedy exploration, solve check and rollouts are DQN's
/// own pieces (`DQN.Arguments` sets the network and learning rate); what differs is where the
/// experience comes from. A rate limiter (samples per insert) keeps the replay ratio near
/// single-process DQN's, so actors wait when they run ahead of the learner.
public final class ApeXLearner: DistributedLearner {
    /// Everything a run can set.
    public struct Arguments: HyperparameterSet {
        /// Network, optimizer, replay size, γ, batch size, target updates, budget and solve check.
        public var dqn = DQN.Arguments()
        @Hyperparameter("Actor processes writing to a prioritized replay table (0: single-process DQN).") public var actors = 0
        @Hyperparameter("Environments each actor steps side by side.") public var envsPerActor = 1
        @Hyperparameter("Base of the actors' ε: actor i of N explores with base^(1 + exponent · i / (N − 1)).") public var epsilonBase = 0.4
        @Hyperparameter("Exponent of the actors' ε (see --epsilon-base).") public var epsilonExponent = 7.0
        @Hyperparameter("Actor steps over which ε falls from 1 to the actor's own.") public var epsilonDecaySteps = 2_000
        @Hyperparameter("Priority exponent α.") public var priorityExponent = 0.6
        @Hyperparameter("Importance-weight exponent β.") public var importanceExponent = 0.4
        @Hyperparameter("Sampled items per inserted item the replay table's rate limiter holds to (0: no limit).") public var samplesPerInsert = 16.0
        @Hyperparameter("Learner updates between weight publications.") public var publishEvery = 10
        @Hyperparameter("Transitions an actor gathers per insert.") public var insertEvery = 32
        @Hyperparameter("Actor steps between fetches of newer weights.") public var syncEvery = 64
        @Hyperparameter("Learner updates after which a greedy validation runs even if the actors' returns do not call for one.") public var validateEvery = 2_000

        /// The defaults.
        public init() {}

        /// Why the arguments cannot run, or nil.
        public var problem: String? {
            if let problem = dqn.problem { return problem }
            if actors < 0 || envsPerActor < 1 || publishEvery < 1 || insertEvery < 1 || syncEvery < 1 {
                return "--actors must not be negative, and envs per actor and the publish/insert/sync intervals must be at least 1"
            }
            if !(0...1).contains(epsilonBase) || !(samplesPerInsert >= 0) || !(priorityExponent >= 0) || !(importanceExponent >= 0) {
                return "need ε base in [0, 1] and non-negative samples per insert and exponents"
            }
            return nil
        }

        /// ε of actor `index` of `actors`.
        public func epsilon(actor index: Int) -> Double {
            guard actors > 1 else { return dqn.exploration.epsilon(step: Int.max / 2, episode: Int.max / 2) }
            return pow(epsilonBase, 1 + epsilonExponent * Double(index % actors) / Double(actors - 1))
        }

    }

    /// The replay table the actors write to.
    public static let table = "apex"

    private let args: Arguments
    private let session: TrainingSession
    private let bufferEndpoint: String
    private let loop: DistributedLearnerLoop

    private init(args: Arguments, session: TrainingSession, bufferEndpoint: String, logger: Logger) {
        self.args = args
        self.session = session
        self.bufferEndpoint = bufferEndpoint
        // An actor reports after each insert, once it holds `insertEvery` transitions.
        loop = DistributedLearnerLoop(session: session, logger: logger,
                                      stepsPerCall: WorkerRoster.steps(environments: args.envsPerActor, atLeast: args.insertEvery))
    }

    // MARK: DistributedLearner (called on the parameter service's thread)

    public func join(name: String) throws -> (index: Int, settings: ValueMap) {
        let index = loop.admit(name: name)
        let dqn = args.dqn
        let settings: ValueMap = [
            "algo": .text("dqn"), "run": .text(session.runName), "env": .text(session.env), "env_args": .map(session.envArguments), "server": .text(session.connection.endpoint),
            "buffer": .text(bufferEndpoint), "table": .text(Self.table), "seed": .integer(Int64(bitPattern: session.seeds.run)),
            "epsilon": .number(args.epsilon(actor: index)), "epsilon_decay_steps": .integer(Int64(args.epsilonDecaySteps)),
            "gamma": .number(dqn.gamma), "hidden_sizes": .list(dqn.hiddenSizes.map { .integer(Int64($0)) }),
            "num_envs": .integer(Int64(args.envsPerActor)), "insert_every": .integer(Int64(args.insertEvery)),
            "sync_every": .integer(Int64(args.syncEvery)),
        ]
        return (index, settings)
    }

    public func apply(gradients: [UInt8], from version: UInt64, worker: Int, stats: EpisodeStats) throws -> [UInt8]? {
        throw GymError(.notSupported, "an Ape-X learner takes transitions through the buffer, not gradients")
    }

    public func report(worker: Int, version: UInt64, stats: EpisodeStats) throws {
        try loop.check(worker: worker, stats: stats)
        // Staleness is measured on the sampled experience instead (each transition's `version`).
        loop.receive(.init(worker: worker, staleness: nil, stats: stats))
    }

    // MARK: Training

    /// Trains on `session`'s environment. `buffer` is the replay service; `parameters` opens the
    /// parameter service; `startActors` is called with its endpoint once weights are published
    /// and returns the processes it started (nil when actors are started elsewhere).
    public static func train(_ arguments: Arguments, session: TrainingSession, buffer: BufferClient, parameters: ParameterChannelOpener,
                             startActors: (String) throws -> WorkerFleet?, logger: Logger) throws -> TrainedAgent {
        _ = try arguments.checked()
        guard arguments.actors >= 1 else { throw AgentError(.invalidArgument, "Ape-X needs at least one actor") }
        let learner = ApeXLearner(args: arguments, session: session, bufferEndpoint: buffer.endpoint, logger: logger)
        return try learner.run(buffer: buffer, parameters: parameters, startActors: startActors, logger: logger)
    }

    private func run(buffer: BufferClient, parameters: ParameterChannelOpener, startActors: (String) throws -> WorkerFleet?,
                     logger: Logger) throws -> TrainedAgent {
        let dqn = args.dqn
        let monitor = session.monitor
        let layout = try SpaceLayout(session.spec)
        var initRandom = SeededRNG(seed: session.seeds.initialization)
        let learner = DQNLearner(dqn, observationSize: layout.observationSize, actionCount: layout.actionCount, rng: &initRandom)
        let policy = QNetworkPolicy(network: learner.qNetwork)
        // Even the greediest actors explore a little, so validations start a quarter below the
        // threshold, and run every `validateEvery` updates in any case.
        let validation = PolicyValidation<[String: Tensor]>(session: session, window: dqn.solveWindow, episodes: dqn.validationEpisodes,
                                                            margin: 0.25, subject: "network")
        var lastValidation = 0

        // Actors may run `errorBuffer` steps ahead of (or behind) the ratio before waiting.
        let limiter = RateLimiterConfig(minSizeToSample: max(dqn.learningStarts, dqn.batchSize), samplesPerInsert: args.samplesPerInsert,
                                        errorBuffer: args.samplesPerInsert * Double(max(dqn.learningStarts, 1_000)))
        try buffer.createTable(TableConfig(name: Self.table, selector: .prioritized, maxSize: dqn.bufferSize, priorityExponent: args.priorityExponent,
                                           importanceExponent: args.importanceExponent, rateLimiter: limiter))
        try buffer.reset(table: Self.table)

        let server = try parameters(self, try SafeTensors.encode(learner.qNetwork.stateDict()))
        defer { server.close() }
        let fleet = try startActors(server.endpoint)
        defer { fleet?.stop() }
        monitor.note("parameter service on \(server.endpoint), replay table \(Self.table) on \(buffer.endpoint); waiting for \(args.actors) actor(s)")

        // The greediest actors' episodes decide when to validate: exploring ones understate the policy.
        let judged = Set((0..<args.actors).filter { args.epsilon(actor: $0) <= 0.05 || args.actors == 1 })
        var judgedReturns: [Double] = []
        var judgedEpisodes = 0
        var updates = 0
        var staleness = (sum: 0.0, count: 0)
        var version = 0.0
        let targetEvery = max(1, dqn.targetUpdateInterval / dqn.trainFrequency)

        let outcome = try loop.run(
            totalSteps: dqn.totalSteps, channel: server, fleet: fleet,
            onReport: { report, steps in
                if judged.isEmpty || judged.contains(report.worker) {
                    for (episodeReturn, _) in report.stats.episodes {
                        judgedReturns.append(episodeReturn)
                        judgedEpisodes += 1
                    }
                }
                let recent = judgedReturns.suffix(dqn.solveWindow)
                let mean = recent.isEmpty ? nil : recent.reduce(0, +) / Double(recent.count)
                let periodic = validation.isEnabled && updates - lastValidation >= args.validateEvery
                guard validation.isDue(episodes: judgedEpisodes, recentMean: mean) || periodic else { return false }
                lastValidation = updates
                return try validation.validate(policy, step: steps) { learner.qNetwork.stateDict() }
            },
            work: { steps in
                let batch: SampledItems
                do {
                    batch = try buffer.sample(table: Self.table, batchSize: dqn.batchSize, timeout: 0.5)
                } catch let error as GymError where error.code == .timedOut {
                    return false  // not enough experience yet, or actors are catching up
                }
                let columns = try ReplayColumns(batch, observationSize: layout.observationSize, actionCount: layout.actionCount)
                let learned = learner.learn(observations: columns.observations, actions: columns.actions, rewards: columns.rewards,
                                            nextObservations: columns.nextObservations, terminated: columns.terminated,
                                            weights: batch.weights.map { Float($0) })
                try buffer.updatePriorities(table: Self.table, keys: batch.keys, priorities: learned.absoluteErrors.map { Double($0) + 1e-3 })
                updates += 1
                if updates % targetEvery == 0 { learner.updateTarget() }
                if updates % args.publishEvery == 0 { server.publish(try SafeTensors.encode(learner.qNetwork.stateDict())) }

                version = Double(server.currentVersion)
                staleness.sum += columns.versions.reduce(0) { $0 + (version - Double($1)) } / Double(max(columns.versions.count, 1))
                staleness.count += 1
                if updates % 100 == 0 {
                    monitor.scalar("losses/td_loss", Double(learned.loss.value.scalar), step: steps)
                    monitor.scalar("charts/staleness_versions", staleness.sum / Double(staleness.count), step: steps)
                }
                return true
            },
            progress: { steps, rate, running in
                defer { staleness = (0, 0) }
                return String(format: "%d updates, %d env steps (%.0f/s), %d actor process(es) running; sampled experience is %.1f weight versions old on average (now at version %d)",
                              updates, steps, rate, running, staleness.sum / Double(max(staleness.count, 1)), Int(version))
            })
        monitor.note(String(format: "learner stopped after %d updates and %d env steps in %.1f s (%.0f env steps/s)", updates, outcome.steps,
                            outcome.seconds, outcome.stepsPerSecond))
        if !outcome.solved, let best = try validation.better(than: policy, step: outcome.steps) { try learner.qNetwork.load(stateDict: best) }
        let epsilons = (0..<args.actors).map { String(format: "%.4f", args.epsilon(actor: $0)) }.joined(separator: ",")
        var trained = TrainedAgent(policy: policy, steps: outcome.steps, episodes: monitor.episodes,
                                   hyperparameters: args.hyperparameters.merging(["epsilons": .string(epsilons)]) { $1 })
        trained.metrics = ["env_steps_per_s": outcome.stepsPerSecond.rounded(), "learner_updates": Double(updates),
                           "actors": Double(outcome.joined),
                           "remote_actors": Double(outcome.remote)]
        return trained
    }
}
