import GymCore
import NeuralNet

/// Tabular SARSA and Q-learning over a discretized observation, as in the lecture notebook.
///
/// A Box observation has each dimension cut into bins (CartPole: 6 over x ∈ [−2.4, 2.4],
/// ẋ ∈ [−3, 3], θ ∈ [−0.5, 0.5], θ̇ ∈ [−2, 2]); an observation made only of Discrete,
/// MultiDiscrete and MultiBinary parts (FrozenLake, Taxi, Blackjack's Tuple) is its own row,
/// numbered as `ObservationEncoding.tableIndex` says. The Q table starts uniform in ±0.1 and
/// is updated after every step by `Q(s,a) += α (y − Q(s,a))` with
///
/// - SARSA (on-policy): `y = r + γ Q(s', a')`, `a'` the ε-greedy action taken next;
/// - Q-learning (off-policy): `y = r + γ max_a Q(s', a)`.
///
/// Unlike the notebook, a terminal `s'` contributes no bootstrap term (a time-limit cut still
/// bootstraps). ε follows `0.7 / (episode + 1)` by default, and an episode that terminates
/// early has its last reward replaced by `−penalty` (reward shaping; logs show the true return).
/// The two methods differ only in the target, so they share this one loop.
public enum Tabular {
    /// Which target the update uses.
    public enum Method: String, Sendable, Codable, CaseIterable {
        /// On-policy: bootstrap from the action actually taken next.
        case sarsa
        /// Off-policy: bootstrap from the best action.
        case qLearning = "qlearning"
    }

    /// Everything a run can set, with the lecture's values as defaults.
    public struct Arguments: HyperparameterSet {
        /// SARSA or Q-learning: the command, not a flag.
        public var method = Method.qLearning
        @Hyperparameter("Training episodes at most (training stops early once a greedy validation reaches the reward threshold).") public var episodes = 2000
        @Hyperparameter("Step size α of the table update.", aliases: ["alpha"]) public var learningRate = 0.5
        @Hyperparameter("Discount factor γ.") public var gamma = 0.99
        @Hyperparameter("Bins per observation dimension.") public var bins = 6
        /// nil takes the lecture's ranges for CartPole, else the space's (finite) bounds.
        @Hyperparameter("Lower ends of the binned ranges, comma-separated (none: the lecture's for CartPole, else the space's bounds); write --low=-2.4,...") public var low: [Double]? = nil
        @Hyperparameter("Upper ends of the binned ranges, comma-separated.") public var high: [Double]? = nil
        @Hyperparameter("Initial Q values are uniform in [-bound, bound].") public var initialBound: Float = 0.1
        @Hyperparameter("When an episode terminates before its time limit, its last reward becomes -penalty (--no-penalty: keep the true reward).") public var penalty: Double? = 10
        @Hyperparameter("ε schedule: inverse:SCALE (SCALE/(episode+1)), linear:START:END:STEPS or constant:E.") public var exploration = ExplorationSchedule.inverseEpisode(scale: 0.7)
        @Hyperparameter("Training episodes whose mean return must reach the threshold before a greedy validation.") public var solveWindow = 10
        @Hyperparameter("Greedy episodes per validation (0: no early stopping).") public var validationEpisodes = 10

        /// The defaults (Q-learning).
        public init() {}

        /// Arguments for `method` with the defaults above.
        public init(method: Method) { self.method = method }

        /// Why the arguments cannot run, or nil.
        public var problem: String? {
            if (low == nil) != (high == nil) { return "give both --low and --high, or neither" }
            if episodes < 1 || bins < 1 { return "--episodes and --bins must be at least 1" }
            if !(learningRate > 0) || !(0...1).contains(gamma) { return "need a positive learning rate and gamma in [0, 1]" }
            return nil
        }
    }

    /// Trains a table with `method`'s targets, whatever `arguments.method` says.
    public static func train(_ arguments: Arguments, method: Method, session: TrainingSession) throws -> TrainedAgent {
        var args = arguments
        args.method = method
        return try train(args, session: session)
    }

    /// Trains a table on `session`'s environment (one environment, stepped sequentially).
    public static func train(_ arguments: Arguments, session: TrainingSession) throws -> TrainedAgent {
        let args = try arguments.checked()

        // Seeding: the table's initial values, exploration, and the environment each have a stream.
        var explore = EpsilonGreedy(seed: session.seeds.exploration)
        // A discrete observation is its own row; a Box is binned (anything else is an error, before any environment is made).
        let discrete = ObservationEncoding.isDiscrete(session.spec.observationSpace)
        let binning = discrete ? nil : try makeDiscretizer(args, spec: session.spec)
        let env = try VectorRollout(connection: session.connection, env: session.env, kwargs: session.envArguments, count: 1,
                                    seed: session.seeds.trainingEnvironments, form: discrete ? .tableIndex : .features)
        defer { env.close() }
        let states = binning.map(TableStates.binned) ?? .indexed(radices: env.encoding.radices)
        let (tableSize, overflow) = states.count.multipliedReportingOverflow(by: env.layout.actionCount)
        guard !overflow, tableSize <= maxTableValues else {
            throw AgentError(.unsupportedEnvironment, "\(session.spec.id): a table of \(states.count) states × "
                             + "\(env.layout.actionCount) actions is more than \(maxTableValues) values: use fewer --bins, or dqn or ppo")
        }
        let table = QTablePolicy(states: states, actionCount: env.layout.actionCount,
                                 initialBound: args.initialBound, seed: session.seeds.initialization)
        let actions = table.actionCount
        let validation = PolicyValidation<[Float]>(session: session, window: args.solveWindow, episodes: args.validationEpisodes,
                                                   subject: "table")

        func choose(_ state: Int, episode: Int, step: Int) -> Int {
            explore.explores(epsilon: args.exploration.epsilon(step: step, episode: episode))
                ? explore.randomAction(count: actions) : table.greedyAction(state: state)
        }

        var step = 0
        var episode = 0
        var solved = false
        var state = states.state(env.observations)
        var action = choose(state, episode: episode, step: step)
        let run = session.state
        run.track("table", save: { ([table.values.count], ["values": Tensor(shape: [table.values.count], data: table.values)]) },
                  restore: { (count: [Int], tensors: [String: Tensor]) in
                      guard count == [table.values.count], let values = tensors["values"], values.data.allSatisfy(\.isFinite),
                            table.restore(values: values.data) else {
                          throw RunStateError("has a Q table that is not this run's \(table.values.count) values")
                      }
                  })
        run.track("exploration", value: { explore.random }, restore: { explore.random = $0 })
        run.track("counters", value: { TabularCounters(step: step, episode: episode, state: state, action: action) },
                  restore: { saved in
                      guard saved.step >= 0, saved.episode >= 0, (0..<states.count).contains(saved.state),
                            (0..<actions).contains(saved.action) else {
                          throw RunStateError("has tabular counters outside the table")
                      }
                      (step, episode, state, action) = (saved.step, saved.episode, saved.state, saved.action)
                  })
        let valueCount = table.values.count
        validation.track(in: run, encode: { PolicyCheckpoint(kind: "q_table", tensors: ["values": Tensor(shape: [$0.count], data: $0)], structure: [:]) },
                         decode: { checkpoint in
                             guard checkpoint.kind == "q_table", let values = checkpoint.tensors["values"], values.data.count == valueCount,
                                   values.data.allSatisfy(\.isFinite) else {
                                 throw RunStateError("its best table is not this run's \(valueCount) values")
                             }
                             return values.data
                         })
        env.track(in: run)
        run.markComplete()
        try session.begin()
        while episode < args.episodes {
            let t = try env.step(actions: [action])
            step += 1
            let terminated = t.terminated[0]
            let ended = terminated || t.truncated[0]
            let reward = terminated && !t.truncated[0] ? (args.penalty.map { -$0 } ?? t.rewards[0]) : t.rewards[0]
            let nextState = states.state(t.nextObservations)

            // The TD target: SARSA picks (and will take) its next action first.
            var nextAction: Int?
            var bootstrap: Float = 0
            if !terminated {
                switch args.method {
                case .sarsa:
                    let chosen = choose(nextState, episode: episode, step: step)
                    nextAction = chosen
                    bootstrap = table[nextState, chosen]
                case .qLearning:
                    bootstrap = table.maxValue(state: nextState)
                }
            }
            let target = Float(reward) + Float(args.gamma) * bootstrap
            table[state, action] += Float(args.learningRate) * (target - table[state, action])

            if ended {
                episode += 1
                for finished in t.finished { session.monitor.episode(finished, step: step) }
                session.monitor.scalar("charts/epsilon", args.exploration.epsilon(step: step, episode: episode), step: step)
                // The episode count is this loop's own: a finished episode ends it whatever the monitor saw.
                if validation.isDue(episodes: episode, recentMean: session.monitor.recentMean(args.solveWindow)),
                   try validation.validate(table, step: step, snapshot: { table.values }) {
                    solved = true
                    break
                }
                state = states.state(env.observations)
                action = choose(state, episode: episode, step: step)
            } else {
                state = nextState
                action = nextAction ?? choose(nextState, episode: episode, step: step)
            }
            session.monitor.tick(step: step)
            if try session.boundary(step: step) { break }
        }

        // Unsolved within the budget: keep the final table unless an earlier one validated better.
        if !solved, session.stopReason == nil, let best = try validation.better(than: table, step: step) {
            return TrainedAgent(policy: QTablePolicy(states: states, actionCount: actions, values: best),
                                steps: step, episodes: episode, hyperparameters: args.hyperparameters)
        }
        return TrainedAgent(policy: table, steps: step, episodes: episode, hyperparameters: args.hyperparameters)
    }

    /// Where the loop is between two steps, for checkpoints.
    struct TabularCounters: Codable {
        var step: Int
        var episode: Int
        var state: Int
        var action: Int
    }

    /// Most values a Q table may hold (64 MiB of floats).
    public static let maxTableValues = 1 << 24

    /// The bins: given ranges, the lecture's for CartPole, or the observation space's bounds.
    static func makeDiscretizer(_ args: Arguments, spec: EnvSpec) throws(AgentError) -> StateDiscretizer {
        guard case .box(let spaceLow, let spaceHigh, _, _) = spec.observationSpace else {
            throw AgentError(.unsupportedEnvironment, "\(spec.id): tabular methods bin one Box observation or index one made only "
                             + "of Discrete, MultiDiscrete and MultiBinary parts; \(spec.observationSpace.summary) mixes them: "
                             + "train dqn, ppo, a2c or reinforce on it instead")
        }
        let low: [Double], high: [Double]
        if let givenLow = args.low, let givenHigh = args.high {
            (low, high) = (givenLow, givenHigh)
        } else if spec.id.hasPrefix("CartPole"), let lecture = StateDiscretizer.cartPole(bins: args.bins) {
            (low, high) = (lecture.low, lecture.high)
        } else if (spaceLow + spaceHigh).allSatisfy(\.isFinite) {
            (low, high) = (spaceLow, spaceHigh)
        } else {
            throw AgentError(.invalidArgument, "\(spec.id) has unbounded observations: give the binned ranges (--low, --high)")
        }
        guard low.count == spaceLow.count, let discretizer = StateDiscretizer(bins: Array(repeating: args.bins, count: low.count), low: low, high: high) else {
            throw AgentError(.invalidArgument, "need \(spaceLow.count) finite ranges with low < high, got low \(low), high \(high)")
        }
        // bins^dimensions must be checked before anything multiplies it out.
        var states = 1
        for _ in 0..<low.count {
            let (product, overflow) = states.multipliedReportingOverflow(by: args.bins)
            guard !overflow, product <= maxTableValues else {
                throw AgentError(.unsupportedEnvironment, "\(spec.id): \(args.bins) bins over \(low.count) dimensions are more than "
                                 + "\(maxTableValues) states: use fewer --bins, or dqn or ppo")
            }
            states = product
        }
        return discretizer
    }
}
