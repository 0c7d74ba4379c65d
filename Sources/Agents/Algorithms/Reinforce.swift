import NeuralNet

/// REINFORCE (Williams 1992): Monte-Carlo policy gradient with a softmax policy.
///
/// Each update plays one whole episode in each of `numEnvs` environments (stepped as one
/// batch; an environment whose episode ended waits, its steps unused and uncounted), computes
/// the discounted returns `G_t = Σ_k γ^k r_{t+k}` of every step, and takes one gradient step on
/// `−mean(log π(a_t|s_t) · (G_t − b_t))` (minus an optional entropy bonus). The baseline `b_t`
/// is nothing (the lecture notebook's version), a running mean of the returns, or a learned
/// state value `V(s_t)` regressed on `G_t` (separate network body), which lowers the
/// gradient's variance without biasing it. Training stops early once a greedy validation
/// reaches the reward threshold.
public enum Reinforce: TrainableAlgorithm {
    /// `gym train reinforce`.
    public static let name = "reinforce"
    /// What `gym train --help` says of it.
    public static let summary = "REINFORCE: Monte-Carlo policy gradient with a softmax policy and an optional baseline."
    /// What `gym train reinforce --help` adds.
    public static let details = """
    Each update plays one whole episode per environment and takes one gradient step on \
    -mean(log pi(a|s) (G - b)). The baseline b is none (the lecture notebook's), mean (a running \
    mean of the returns) or value (a learned V(s)). Advantages are normalised per update unless \
    --no-normalize-advantages; normalising subtracts the batch mean, so none and mean then coincide.
    """

    /// What the returns are compared with.
    ///
    /// With advantage normalisation on (the default), `none` and `mean` give the same update:
    /// normalising already subtracts the batch's mean. They differ with it off.
    public enum Baseline: String, NamedChoice {
        /// `b = 0`: plain REINFORCE.
        case none
        /// An exponential running mean of the returns seen so far.
        case mean
        /// A learned `V(s)`.
        case value
    }

    /// Everything a run can set.
    public struct Arguments: HyperparameterSet {
        @Hyperparameter("Episodes per update, played side by side.") public var numEnvs = 8
        @Hyperparameter("Environment steps at most (training stops early once solved).") public var totalSteps = 300_000
        @Hyperparameter("Adam's learning rate.") public var learningRate = 3e-3
        @Hyperparameter("Discount factor γ.") public var gamma = 0.99
        @Hyperparameter("Baseline subtracted from the returns: none, mean or value.") public var baseline = Baseline.value
        @Hyperparameter("Weight of the newest batch in the running mean (baseline mean).") public var baselineRate = 0.1
        @Hyperparameter("Weight of the value loss (baseline value).") public var valueCoefficient = 0.5
        @Hyperparameter("Normalise the advantages G - b per update.") public var normalizeAdvantages = true
        @Hyperparameter("Weight of the entropy bonus.") public var entropyCoefficient = 0.0
        @Hyperparameter("Clip gradients to this global L2 norm (0: no clipping).") public var maxGradNorm = 1.0
        @Hyperparameter("Hidden layer widths, comma-separated.") public var hiddenSizes = [32, 32]
        @Hyperparameter("Hidden-layer activation: relu, tanh, elu or sigmoid.") public var activation = Activation.tanh
        @Hyperparameter("Scale observation features with finite bounds to [-1, 1].") public var scaleObservations = true
        @Hyperparameter("Training episodes whose mean return prompts a greedy validation.") public var solveWindow = 16
        @Hyperparameter("Greedy episodes per validation (0: no early stopping).") public var validationEpisodes = 10
        @Hyperparameter("Validate once the recent mean is within this fraction of the reward threshold.") public var validationMargin = 0.1

        /// The defaults.
        public init() {}

        /// Why the arguments cannot run, or nil.
        public var problem: String? {
            if numEnvs < 1 || totalSteps < 1 { return "--num-envs and --total-steps must be at least 1" }
            if hiddenSizes.contains(where: { $0 < 1 }) { return "hidden sizes must be positive" }
            if !(learningRate > 0) || !(0...1).contains(gamma) { return "need a positive learning rate and gamma in [0, 1]" }
            if !(0...1).contains(baselineRate) { return "--baseline-rate must be in [0, 1]" }
            if valueCoefficient < 0 || entropyCoefficient < 0 { return "loss weights must not be negative" }
            return nil
        }

    }

    /// Trains a softmax policy on `session`'s environment.
    public static func train(_ arguments: Arguments, session: TrainingSession) throws -> TrainedAgent {
        let args = try arguments.checked()
        let monitor = session.monitor

        // Seeding: weights and action sampling from their own streams; environment i resets with
        // seed + i, and later episodes continue each environment's stream.
        var initRandom = SeededRNG(seed: session.seeds.initialization)
        var random = SeededRNG(seed: session.seeds.exploration)
        let envs = try VectorRollout(connection: session.connection, env: session.env, kwargs: session.envArguments, count: args.numEnvs,
                                     seed: session.seeds.trainingEnvironments)
        defer { envs.close() }
        let layout = envs.layout
        let scaling = args.scaleObservations ? BoxScaling(observations: session.spec.observationSpace) : .identity(layout.observationSize)
        // Policy and value each get their own body; without a learned baseline the value side is never used.
        let network = ActorCriticNetwork(scaling: scaling, hiddenSizes: args.hiddenSizes, head: .categorical(actions: layout.actionCount),
                                         sharing: .separate, activation: args.activation, rng: &initRandom)
        let learnsValue = args.baseline == .value
        let parameters = learnsValue ? network.parameters : network.actorParameters
        let optimizer = Adam(parameters: parameters, learningRate: args.learningRate)
        let loss = ActorCriticLoss(valueCoefficient: learnsValue ? Float(args.valueCoefficient) : 0,
                                   entropyCoefficient: Float(args.entropyCoefficient))
        let graph = Graph()
        let validation = PolicyValidation(session: session, window: args.solveWindow, episodes: args.validationEpisodes,
                                          margin: args.validationMargin)
        var runningMean: Double?

        var step = 0
        var updates = 0

        // Checkpoints, at update boundaries: everything the loop carries from one update to the
        // next (the weight initialisation's stream is spent once the network exists).
        let state = session.state
        state.track("network", parameters: network.parameters)
        state.track("optimizer", optimizer: optimizer)
        state.track("exploration", value: { random }, restore: { random = $0 })
        state.track("baseline", value: { runningMean }, restore: { (saved: Double?) in
            guard saved?.isFinite ?? true else { throw RunStateError("has a baseline that is not finite") }
            runningMean = saved
        })
        state.track("counters", counters: { LoopCounters(step: step, updates: updates) },
                    restore: { (step, updates) = ($0.step, $0.updates) })
        validation.track(in: state)
        envs.track(in: state)
        state.markComplete()
        try session.begin()

        while step < args.totalSteps {
            // Play one episode per environment with the current policy.
            if updates > 0 { try envs.reset() }
            var episodes = Array(repeating: (observations: [Float](), actions: [Float](), rewards: [Double]()), count: envs.count)
            var running = Array(repeating: true, count: envs.count)
            while running.contains(true) {
                let observations = envs.observations
                let logits = network.predictPolicy(network.input(observations, count: envs.count))
                let (actions, _) = CategoricalDistribution.sample(logits: logits, random: &random)
                let t = try envs.step(actions: actions)
                for env in 0..<envs.count where running[env] {
                    let size = layout.observationSize
                    episodes[env].observations.append(contentsOf: observations[(env * size)..<((env + 1) * size)])
                    episodes[env].actions.append(Float(actions[env]))
                    episodes[env].rewards.append(t.rewards[env])
                    step += 1
                }
                for finished in t.finished where running[finished.environment] {
                    running[finished.environment] = false
                    monitor.episode(finished, step: step)
                }
            }
            updates += 1

            // Returns, baseline, one gradient step.
            let returns = episodes.flatMap { DiscountedReturns.monteCarlo($0.rewards, gamma: args.gamma) }
            let observations = episodes.flatMap(\.observations)
            let count = returns.count
            var baseline = [Double](repeating: 0, count: count)
            switch args.baseline {
            case .none:
                break
            case .mean:
                baseline = Array(repeating: runningMean ?? 0, count: count)
                let batchMean = returns.reduce(0, +) / Double(count)
                runningMean = runningMean.map { $0 + args.baselineRate * (batchMean - $0) } ?? batchMean
            case .value:
                baseline = network.predict(network.input(observations, count: count)).value.map(Double.init)
            }
            var advantages = zip(returns, baseline).map { Float($0 - $1) }
            if args.normalizeAdvantages { advantages = Standardized.values(advantages) }
            graph.reset()
            let terms = loss(network, graph: graph, observations: observations, actions: episodes.flatMap(\.actions),
                             returns: returns.map(Float.init), advantages: advantages, count: count)
            optimizer.zeroGrad()
            graph.backward(terms.total)
            if args.maxGradNorm > 0 { GradientClipping.clipGradNorm(parameters, maxNorm: Float(args.maxGradNorm)) }
            optimizer.step()
            if updates % 10 == 0 {
                monitor.scalar("losses/policy_loss", Double(terms.policy.value.scalar), step: step)
                monitor.scalar("losses/entropy", Double(terms.entropy.value.scalar), step: step)
                if learnsValue { monitor.scalar("losses/value_loss", Double(terms.value.value.scalar), step: step) }
            }
            if try validation.solved(step: step, policy: { network.greedyPolicy(envs.actionLayout) }) {
                return TrainedAgent(policy: network.greedyPolicy(envs.actionLayout), steps: step, episodes: monitor.episodes, hyperparameters: args.hyperparameters)
            }
            monitor.tick(step: step)
            if try session.boundary(step: step) { break }
        }
        if session.stopReason != nil {
            var trained = TrainedAgent(policy: network.greedyPolicy(envs.actionLayout), steps: step, episodes: monitor.episodes,
                                       hyperparameters: args.hyperparameters)
            trained.bestValidated = validation.bestPolicy
            return trained
        }
        let policy = try validation.keep(network.greedyPolicy(envs.actionLayout), step: step)
        return TrainedAgent(policy: policy, steps: step, episodes: monitor.episodes, hyperparameters: args.hyperparameters)
    }
}
