import Foundation
import GymClient
import GymCore
import GymProtocol
import Logging
import NeuralNet
import ParameterService

/// The Ape-X learner (Horgan et al. 2018) behind `gym train dqn --actors N`: actor processes
/// with different ε write transitions with initial priorities to a prioritized replay table;
/// this learner samples prioritized batches, learns with importance-weighted double-DQN
/// targets, writes the new priorities back and publishes its weights on the parameter service.
///
/// The Q network, target network, ε-greedy exploration, solve check and rollouts are DQN's
/// own pieces (`DQN.Arguments` sets the network and learning rate); what differs is where the
/// experience comes from. A rate limiter (samples per insert) keeps the replay ratio near
/// single-process DQN's, so actors wait when they run ahead of the learner.
public final class ApeXLearner: ParameterLearner {
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
    private let lock = NSLock()
    private var joined = 0
    private var reports: [(worker: UInt32, version: UInt64, stats: Gym_V1_EpisodeStats)] = []

    private init(args: Arguments, session: TrainingSession, bufferEndpoint: String) {
        self.args = args
        self.session = session
        self.bufferEndpoint = bufferEndpoint
    }

    // MARK: ParameterLearner (called on the parameter service's thread)

    public func join(name: String) throws -> (index: UInt32, settings: ValueMap) {
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
        return (UInt32(index), settings)
    }

    public func apply(gradients: [UInt8], from version: UInt64, worker: UInt32, stats: Gym_V1_EpisodeStats) throws -> [UInt8]? {
        throw GymError(.notSupported, "an Ape-X learner takes transitions through the buffer, not gradients")
    }

    public func report(worker: UInt32, version: UInt64, stats: Gym_V1_EpisodeStats) {
        lock.withLock { reports.append((worker, version, stats)) }
    }

    private func drainReports() -> [(worker: UInt32, version: UInt64, stats: Gym_V1_EpisodeStats)] {
        lock.withLock {
            defer { reports.removeAll(keepingCapacity: true) }
            return reports
        }
    }

    // MARK: Training

    /// Trains on `session`'s environment. `buffer` is the replay service; `parametersBind` where
    /// the parameter service binds; `startActors` is called with its endpoint once weights are
    /// published and returns the processes it started (nil when actors are started elsewhere).
    public static func train(_ arguments: Arguments, session: TrainingSession, buffer: BufferClient, parametersBind: String,
                             startActors: (String) throws -> WorkerFleet?, logger: Logger) throws -> TrainedAgent {
        if let problem = arguments.problem { throw AgentError(.invalidArgument, problem) }
        guard arguments.actors >= 1 else { throw AgentError(.invalidArgument, "Ape-X needs at least one actor") }
        let learner = ApeXLearner(args: arguments, session: session, bufferEndpoint: buffer.endpoint)
        return try learner.run(buffer: buffer, parametersBind: parametersBind, startActors: startActors, logger: logger)
    }

    private func run(buffer: BufferClient, parametersBind: String, startActors: (String) throws -> WorkerFleet?,
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

        try buffer.createTable(.with {
            $0.name = Self.table
            $0.selector = .prioritized
            $0.maxSize = UInt64(dqn.bufferSize)
            $0.priorityExponent = args.priorityExponent
            $0.importanceExponent = args.importanceExponent
            $0.rateLimiter = .with {
                $0.minSizeToSample = UInt64(max(dqn.learningStarts, dqn.batchSize))
                $0.samplesPerInsert = args.samplesPerInsert
                // Actors may run this many steps ahead of (or behind) the ratio before waiting.
                $0.errorBuffer = args.samplesPerInsert * Double(max(dqn.learningStarts, 1_000))
            }
        })
        try buffer.reset(table: Self.table)

        let server = ParameterServer(bind: parametersBind, learner: self, logger: logger)
        server.publish(try SafeTensors.encode(qNetwork.stateDict()))
        try server.start()
        defer { server.shutdown() }
        let fleet = try startActors(server.endpoint)
        defer { fleet?.stop() }
        monitor.note("parameter service on \(server.endpoint), replay table \(Self.table) on \(buffer.endpoint); waiting for \(args.actors) actor(s)")

        // The greediest actors' episodes decide when to validate: exploring ones understate the policy.
        let judged = Set((0..<args.actors).filter { args.epsilon(actor: $0) <= 0.05 || args.actors == 1 }.map(UInt32.init))
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
                steps += Int(report.stats.envSteps)
                for (episodeReturn, length) in zip(report.stats.episodeReturns, report.stats.episodeLengths) {
                    monitor.episode(FinishedEpisode(environment: Int(report.worker), episodeReturn: episodeReturn, length: Int(length)), step: steps)
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
            if dqn.maxGradNorm > 0 { GradientClipping.clipGradNorm(qNetwork.parameters, maxNorm: Float(dqn.maxGradNorm)) }
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
        let epsilons = (0..<args.actors).map { String(format: "%.4f", args.epsilon(actor: $0)) }.joined(separator: ",")
        var trained = TrainedAgent(policy: policy, steps: steps, episodes: monitor.episodes,
                                   hyperparameters: args.hyperparameters.merging(["epsilons": .string(epsilons)]) { $1 })
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
