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
    public struct Arguments: Sendable {
        /// Network, optimizer, replay size, γ, batch size, target updates, budget and solve check.
        public var dqn = DQN.Arguments()
        /// Actors the run expects.
        public var actors = 4
        /// Environments each actor steps side by side.
        public var envsPerActor = 1
        /// Ape-X's ε_i = base^(1 + exponent · i / (N − 1)).
        public var epsilonBase = 0.4
        /// See `epsilonBase`.
        public var epsilonExponent = 7.0
        /// Actor steps over which ε falls from 1 to the actor's own.
        public var epsilonDecaySteps = 2_000
        /// α: priority exponent.
        public var priorityExponent = 0.6
        /// β: importance-weight exponent.
        public var importanceExponent = 0.4
        /// Sampled items per inserted item the rate limiter holds to (0: no limit).
        public var samplesPerInsert = 16.0
        /// Learner updates between weight publications.
        public var publishEvery = 10
        /// Transitions an actor gathers per insert.
        public var insertEvery = 32
        /// Actor steps between fetches of newer weights.
        public var syncEvery = 64
        /// Learner updates after which a greedy validation runs even if the actors' returns do not call for one.
        public var validateEvery = 2_000

        /// The defaults.
        public init() {}

        /// Why the arguments cannot run, or nil.
        public var problem: String? {
            if let problem = dqn.problem { return problem }
            if actors < 1 || envsPerActor < 1 || publishEvery < 1 || insertEvery < 1 || syncEvery < 1 {
                return "--actors, envs per actor and the publish/insert/sync intervals must be at least 1"
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

        /// The settings as saved with the policy.
        public var hyperparameters: [String: MetadataValue] {
            var values = dqn.hyperparameters
            values["actors"] = .int(actors)
            values["envs_per_actor"] = .int(envsPerActor)
            values["priority_exponent"] = .double(priorityExponent)
            values["importance_exponent"] = .double(importanceExponent)
            values["samples_per_insert"] = .double(samplesPerInsert)
            values["epsilons"] = .string((0..<actors).map { String(format: "%.4f", epsilon(actor: $0)) }.joined(separator: ","))
            return values
        }
    }

    /// The replay table the actors write to.
    public static let table = "apex"

    private let args: Arguments
    private let session: TrainingSession
    private let bufferEndpoint: String
    private let lock = NSLock()
    private var joined = 0
    private var reports: [(worker: Int, version: UInt64, stats: EpisodeStats)] = []

    private init(args: Arguments, session: TrainingSession, bufferEndpoint: String) {
        self.args = args
        self.session = session
        self.bufferEndpoint = bufferEndpoint
    }

    // MARK: DistributedLearner (called on the parameter service's thread)

    public func join(name: String) throws -> (index: Int, settings: ValueMap) {
        let index = lock.withLock { () -> Int in
            joined += 1
            return joined - 1
        }
        let dqn = args.dqn
        let settings: ValueMap = [
            "algo": .text("dqn"), "env": .text(session.env), "server": .text(session.connection.endpoint),
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

    public func report(worker: Int, version: UInt64, stats: EpisodeStats) {
        lock.withLock { reports.append((worker, version, stats)) }
    }

    private func drainReports() -> [(worker: Int, version: UInt64, stats: EpisodeStats)] {
        lock.withLock {
            defer { reports.removeAll(keepingCapacity: true) }
            return reports
        }
    }

    // MARK: Training

    /// Trains on `session`'s environment. `buffer` is the replay service; `parameters` opens the
    /// parameter service; `startActors` is called with its endpoint once weights are published
    /// and returns the processes it started (nil when actors are started elsewhere).
    public static func train(_ arguments: Arguments, session: TrainingSession, buffer: BufferClient, parameters: ParameterChannelOpener,
                             startActors: (String) throws -> WorkerFleet?, logger: Logger) throws -> TrainedAgent {
        if let problem = arguments.problem { throw AgentError(.invalidArgument, problem) }
        let learner = ApeXLearner(args: arguments, session: session, bufferEndpoint: buffer.endpoint)
        return try learner.run(buffer: buffer, parameters: parameters, startActors: startActors, logger: logger)
    }

    private func run(buffer: BufferClient, parameters: ParameterChannelOpener, startActors: (String) throws -> WorkerFleet?,
                     logger: Logger) throws -> TrainedAgent {
        let dqn = args.dqn
        let monitor = session.monitor
        let layout = try SpaceLayout(session.spec)
        var initRandom = SeededRNG(seed: session.seeds.initialization)
        let sizes = [layout.observationSize] + dqn.hiddenSizes + [layout.actionCount]
        let qNetwork = MLP(sizes: sizes, activation: .relu, rng: &initRandom)
        let targetNetwork = MLP(sizes: sizes, activation: .relu, rng: &initRandom)
        targetNetwork.copy(from: qNetwork)
        let optimizer = Adam(parameters: qNetwork.parameters, learningRate: dqn.learningRate)
        let policy = QNetworkPolicy(network: qNetwork)
        let graph = Graph()
        // Even the greediest actors explore a little, so validations start a quarter below the
        // threshold, and run every `validateEvery` updates in any case.
        let threshold = session.spec.rewardThreshold
        var check = SolveCheck<[String: Tensor]>(threshold: threshold, window: dqn.solveWindow, validationEpisodes: dqn.validationEpisodes,
                                                 trigger: threshold.map { $0 - 0.25 * abs($0) })
        var lastValidation = 0

        // Actors may run `errorBuffer` steps ahead of (or behind) the ratio before waiting.
        let limiter = RateLimiterConfig(minSizeToSample: max(dqn.learningStarts, dqn.batchSize), samplesPerInsert: args.samplesPerInsert,
                                        errorBuffer: args.samplesPerInsert * Double(max(dqn.learningStarts, 1_000)))
        try buffer.createTable(TableConfig(name: Self.table, selector: .prioritized, maxSize: dqn.bufferSize, priorityExponent: args.priorityExponent,
                                           importanceExponent: args.importanceExponent, rateLimiter: limiter))
        try buffer.reset(table: Self.table)

        let server = try parameters(self, try SafeTensors.encode(qNetwork.stateDict()))
        defer { server.close() }
        let fleet = try startActors(server.endpoint)
        defer { fleet?.stop() }
        monitor.note("parameter service on \(server.endpoint), replay table \(Self.table) on \(buffer.endpoint); waiting for \(args.actors) actor(s)")

        // The greediest actors' episodes decide when to validate: exploring ones understate the policy.
        let judged = Set((0..<args.actors).filter { args.epsilon(actor: $0) <= 0.05 || args.actors == 1 })
        var judgedReturns: [Double] = []
        var judgedEpisodes = 0
        var steps = 0
        var updates = 0
        var solved = false
        var staleness = (sum: 0.0, count: 0)
        var lastNote = DispatchTime.now().uptimeNanoseconds
        let targetEvery = max(1, dqn.targetUpdateInterval / dqn.trainFrequency)
        var targets = Tensor.zeros([dqn.batchSize])
        let started = DispatchTime.now().uptimeNanoseconds

        var lastHeard = DispatchTime.now().uptimeNanoseconds
        training: while steps < dqn.totalSteps {
            let reports = drainReports()
            if reports.isEmpty { try fleet?.ensureAlive(lastHeard: lastHeard) } else { lastHeard = DispatchTime.now().uptimeNanoseconds }
            for report in reports {
                steps += report.stats.envSteps
                for (episodeReturn, length) in report.stats.episodes {
                    monitor.episode(FinishedEpisode(environment: report.worker, episodeReturn: episodeReturn, length: length), step: steps)
                    if judged.isEmpty || judged.contains(report.worker) {
                        judgedReturns.append(episodeReturn)
                        judgedEpisodes += 1
                    }
                }
                let recent = judgedReturns.suffix(dqn.solveWindow)
                let mean = recent.isEmpty ? nil : recent.reduce(0, +) / Double(recent.count)
                let periodic = threshold != nil && dqn.validationEpisodes > 0 && updates - lastValidation >= args.validateEvery
                if check.due(episodes: judgedEpisodes, recentMean: mean) || periodic {
                    lastValidation = updates
                    let validation = try session.validate(policy, episodes: dqn.validationEpisodes, step: steps)
                    if check.record(mean: validation.mean, snapshot: { qNetwork.stateDict() }) {
                        solved = true
                        break training
                    }
                }
            }
            monitor.tick(step: steps)

            let batch: SampledItems
            do {
                batch = try buffer.sample(table: Self.table, batchSize: dqn.batchSize, timeout: 0.5)
            } catch let error as GymError where error.code == .timedOut {
                continue  // not enough experience yet, or actors are catching up
            }
            let columns = try ReplayColumns(batch, observationSize: layout.observationSize)
            let nextValues = targetNetwork.predict(columns.nextObservations)
            let nextActions = dqn.doubleDQN ? qNetwork.predict(columns.nextObservations).argmax() : nextValues.argmax()
            for row in 0..<dqn.batchSize {
                let bootstrap = (1 - columns.terminated[row]) * nextValues[row, nextActions[row]]
                targets.data[row] = columns.rewards[row] + Float(dqn.gamma) * bootstrap
            }
            graph.reset()
            let q = qNetwork(graph.constant(columns.observations)).gather(indices: columns.actions)
            let errors = q - graph.constant(targets)
            let weights = graph.constant(Tensor(shape: [dqn.batchSize], data: batch.weights.map { Float($0) }))
            let loss = (dqn.loss == .huber ? Loss.huber(q, target: targets) : (errors.square() * weights).mean())
            optimizer.zeroGrad()
            graph.backward(loss)
            if let maxGradNorm = dqn.maxGradNorm { GradientClipping.clipGradNorm(qNetwork.parameters, maxNorm: Float(maxGradNorm)) }
            optimizer.step()
            let tdErrors = errors.value.data.map { Double(abs($0)) + 1e-3 }
            try buffer.updatePriorities(table: Self.table, keys: batch.keys, priorities: tdErrors)
            updates += 1
            if updates % targetEvery == 0 { targetNetwork.softUpdate(from: qNetwork, tau: Float(dqn.tau)) }
            if updates % args.publishEvery == 0 { server.publish(try SafeTensors.encode(qNetwork.stateDict())) }

            let version = Double(server.currentVersion)
            staleness.sum += columns.versions.reduce(0) { $0 + (version - Double($1)) } / Double(dqn.batchSize)
            staleness.count += 1
            if updates % 100 == 0 {
                monitor.scalar("losses/td_loss", Double(loss.value.scalar), step: steps)
                monitor.scalar("charts/staleness_versions", staleness.sum / Double(staleness.count), step: steps)
            }
            let now = DispatchTime.now().uptimeNanoseconds
            if now - lastNote > 10_000_000_000 {
                lastNote = now
                let rate = Double(steps) / (Double(now - started) / 1e9)
                let text = String(format: "%d updates, %d env steps (%.0f/s), %d actor process(es) running; sampled experience is %.1f weight versions old on average (now at version %d)",
                                  updates, steps, rate, fleet?.running ?? -1, staleness.sum / Double(max(staleness.count, 1)), Int(version))
                monitor.note(text)
                logger.info("\(text)")
                staleness = (0, 0)
            }
        }
        server.finish()
        // Workers started elsewhere learn of the end on their next call: keep answering a moment.
        if fleet == nil { Thread.sleep(forTimeInterval: 3) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        monitor.note(String(format: "learner stopped after %d updates and %d env steps in %.1f s (%.0f env steps/s)", updates, steps, seconds, Double(steps) / seconds))
        if !solved, let best = check.best {
            let final = try session.validate(policy, episodes: dqn.validationEpisodes, step: steps)
            if best.mean > final.mean {
                monitor.note(String(format: "keeping the network that validated at %.2f", best.mean))
                try qNetwork.load(stateDict: best.snapshot)
            }
        }
        var trained = TrainedAgent(policy: policy, steps: steps, episodes: monitor.episodes, hyperparameters: args.hyperparameters)
        trained.metrics = ["env_steps_per_s": (Double(steps) / seconds).rounded(), "learner_updates": Double(updates),
                           "actors": Double(args.actors)]
        return trained
    }
}

/// A sampled Ape-X batch as network inputs.
struct ReplayColumns {
    var observations: Tensor
    var nextObservations: Tensor
    var actions: [Int]
    var rewards: [Float]
    var terminated: [Float]
    var versions: [Int64]

    init(_ batch: SampledItems, observationSize: Int) throws {
        func column(_ name: String) throws -> NDArray {
            guard let array = batch.columns[name] else { throw AgentError(.invalidArgument, "replay batch has no column \(name)") }
            return array
        }
        let count = batch.keys.count
        observations = Tensor(shape: [count, observationSize], data: try column("obs").floats)
        nextObservations = Tensor(shape: [count, observationSize], data: try column("next_obs").floats)
        actions = try column("action").int64s.map { Int($0) }
        rewards = try column("reward").floats
        terminated = try column("terminated").floats
        versions = try column("version").int64s
    }
}
