import NeuralNet

/// Advantage actor-critic, synchronous (A2C; Mnih et al. 2016 without the asynchrony).
///
/// An actor and a critic on a shared trunk, as in the lecture notebook, act in `numEnvs`
/// environments stepped as one batch. Every `nSteps` steps each environment's rollout gives
/// n-step returns `G_t = r_t + γ r_{t+1} + … + γ^k V(s_{t+k})`, the advantages `G_t − V(s_t)`,
/// and one gradient step on `ActorCriticLoss` (policy gradient, value regression, entropy
/// bonus), with global-norm clipping and a linearly annealed learning rate. Training stops
/// early once a greedy validation reaches the reward threshold.
public enum A2C: TrainableAlgorithm {
    /// `gym train a2c`.
    public static let name = "a2c"
    /// What `gym train --help` says of it.
    public static let summary = "Advantage actor-critic: shared trunk, n-step returns, entropy bonus, batched environments."
    /// What `gym train a2c --help` adds.
    public static let details = """
    Every --n-steps steps of --num-envs environments stepped as one batch, n-step returns \
    bootstrapped from the critic give the advantages for one gradient step on policy loss + \
    value loss - entropy bonus.
    """

    /// Everything a run can set.
    public struct Arguments: HyperparameterSet {
        @Hyperparameter("Environments stepped as one batch.") public var numEnvs = 8
        @Hyperparameter("Steps per environment between updates (the n of the n-step returns).") public var nSteps = 16
        @Hyperparameter("Environment steps at most, all environments together (training stops early once solved).") public var totalSteps = 300_000
        @Hyperparameter("Adam's initial learning rate.") public var learningRate = 1e-3
        @Hyperparameter("Anneal the learning rate linearly to 0 over --total-steps.") public var annealLearningRate = true
        @Hyperparameter("Discount factor γ.") public var gamma = 0.99
        @Hyperparameter("Factor on the rewards the learner sees, so returns and values stay near unit size (e.g. 0.01 for −1 per step).") public var rewardScale = 1.0
        @Hyperparameter("Weight of the value loss.") public var valueCoefficient = 0.5
        @Hyperparameter("Weight of the entropy bonus.") public var entropyCoefficient = 0.01
        @Hyperparameter("Clip gradients to this global L2 norm (0: no clipping).") public var maxGradNorm = 0.5
        @Hyperparameter("Normalise the advantages per update.") public var normalizeAdvantages = false
        @Hyperparameter("Hidden layer widths, comma-separated.") public var hiddenSizes = [64]
        @Hyperparameter("Hidden-layer activation: relu, tanh, elu or sigmoid.") public var activation = Activation.tanh
        @Hyperparameter("Whether actor and critic share their hidden layers: shared or separate.") public var sharing = ActorCriticNetwork.Sharing.shared
        @Hyperparameter("Scale observation features with finite bounds to [-1, 1].") public var scaleObservations = true
        @Hyperparameter("Training episodes whose mean return prompts a greedy validation.") public var solveWindow = 20
        @Hyperparameter("Greedy episodes per validation (0: no early stopping).") public var validationEpisodes = 10
        /// How far below the threshold (a fraction of its size) the recent training mean prompts a
        /// validation. Wide: the entropy bonus keeps the sampled policy well below the greedy one.
        @Hyperparameter("Validate once the recent mean is within this fraction of the reward threshold.") public var validationMargin = 0.5

        /// The defaults.
        public init() {}

        /// Why the arguments cannot run, or nil.
        public var problem: String? {
            if numEnvs < 1 || nSteps < 1 || totalSteps < 1 { return "--num-envs, --n-steps and --total-steps must be at least 1" }
            if hiddenSizes.contains(where: { $0 < 1 }) { return "hidden sizes must be positive" }
            if !(rewardScale > 0) || !rewardScale.isFinite { return "--reward-scale must be positive and finite" }
            if !(learningRate > 0) || !(0...1).contains(gamma) { return "need a positive learning rate and gamma in [0, 1]" }
            if valueCoefficient < 0 || entropyCoefficient < 0 { return "loss weights must not be negative" }
            return nil
        }

    }

    /// Trains an actor-critic on `session`'s environment.
    public static func train(_ arguments: Arguments, session: TrainingSession) throws -> TrainedAgent {
        let args = try arguments.checked()
        let head = try ActorCriticNetwork.head(for: session.spec, initialLogStd: 0)

        // Seeding: weights from their own stream; action sampling from the exploration stream
        // (inside the loop); environment i resets with seed + i.
        var initRandom = SeededRNG(seed: session.seeds.initialization)
        let scaling = args.scaleObservations ? BoxScaling(observations: session.spec.observationSpace)
                                             : .identity(ObservationEncoding.featureWidth(of: session.spec.observationSpace))
        let network = ActorCriticNetwork(scaling: scaling, hiddenSizes: args.hiddenSizes, head: head,
                                         sharing: args.sharing, activation: args.activation, rng: &initRandom)
        let optimizer = Adam(parameters: network.parameters, learningRate: args.learningRate)
        let loss = ActorCriticLoss(valueCoefficient: Float(args.valueCoefficient), entropyCoefficient: Float(args.entropyCoefficient))
        let graph = Graph()

        let loop = OnPolicyLoop(numEnvs: args.numEnvs, rolloutLength: args.nSteps, totalSteps: args.totalSteps, gamma: args.gamma, rewardScale: args.rewardScale,
                                noiseCorrelation: 0, solveWindow: args.solveWindow, validationEpisodes: args.validationEpisodes,
                                validationMargin: args.validationMargin)
        session.state.track("network", parameters: network.parameters)
        session.state.track("optimizer", optimizer: optimizer)
        let (policy, steps, best) = try loop.run(session: session, network: network, tracked: true) { rollout, remaining in
            // n-step returns over the rollout, and advantages against the values seen while acting.
            let returns = DiscountedReturns.bootstrapped(rewards: rollout.rewards, episodeEnds: rollout.episodeEnds,
                                                         bootstrap: rollout.bootstrap, gamma: args.gamma)
            var advantages = zip(returns, rollout.values).map { Float($0 - $1) }
            if args.normalizeAdvantages { advantages = Standardized.values(advantages) }

            if args.annealLearningRate { optimizer.learningRate = args.learningRate * remaining }
            graph.reset()
            let terms = loss(network, graph: graph, observations: rollout.observations, actions: rollout.actions,
                             returns: returns.map(Float.init), advantages: advantages, count: rollout.count)
            optimizer.zeroGrad()
            graph.backward(terms.total)
            if args.maxGradNorm > 0 { GradientClipping.clipGradNorm(network.parameters, maxNorm: Float(args.maxGradNorm)) }
            optimizer.step()
            return [("losses/policy_loss", Double(terms.policy.value.scalar)), ("losses/value_loss", Double(terms.value.value.scalar)),
                    ("losses/entropy", Double(terms.entropy.value.scalar)), ("charts/learning_rate", optimizer.learningRate)]
        }
        var trained = TrainedAgent(policy: policy, steps: steps, episodes: session.monitor.episodes, hyperparameters: args.hyperparameters)
        trained.bestValidated = best
        return trained
    }
}
