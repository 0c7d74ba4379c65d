import Foundation
import NeuralNet

/// Proximal policy optimisation with the clipped surrogate (Schulman et al. 2017).
///
/// An actor and a critic (separate bodies by default) act in `numEnvs` environments stepped as
/// one batch; a softmax policy for a `Discrete` space, a diagonal Gaussian with a learned
/// `log σ` for a `Box`, whose exploration noise may be correlated in time (`CorrelatedNoise`).
/// After every `nSteps` steps per environment, GAE(λ) gives advantages and value targets, and
/// `epochs` passes over shuffled minibatches minimise
/// `−mean(min(ρ A, clip(ρ, 1 − ε, 1 + ε) A)) + c_v · mean((V − G)²) − c_e · mean(H)`,
/// `ρ = π(a|s) / π_old(a|s)`, with advantages normalised per minibatch, global-norm gradient
/// clipping, and the learning rate and ε annealed linearly to 0. Training stops early once a
/// greedy validation reaches the reward threshold.
///
/// The defaults solve CartPole-v1 in a few seconds.
public enum PPO: TrainableAlgorithm {
    /// `gym train ppo`.
    public static let name = "ppo"
    /// What `gym train --help` says of it.
    public static let summary = "Proximal policy optimisation: clipped surrogate, GAE(λ), minibatch epochs, batched environments."
    /// What `gym train ppo --help` adds.
    public static let details = """
    A softmax policy for Discrete actions, a diagonal Gaussian (learned log σ) for Box actions, \
    sent clipped to the bounds. The Gaussian's exploration noise can be correlated in time \
    (--noise-correlation); each action is still exactly Gaussian. The learning rate and the \
    clip range fall linearly to 0 over --total-steps unless turned off.
    """

    /// Everything a run can set.
    public struct Arguments: HyperparameterSet {
        @Hyperparameter("Environments stepped as one batch.") public var numEnvs = 8
        @Hyperparameter("Steps per environment in a rollout.") public var nSteps = 32
        @Hyperparameter("Environment steps at most, all environments together (training stops early once solved).") public var totalSteps = 100_000
        @Hyperparameter("Adam's initial learning rate.") public var learningRate = 1e-3
        @Hyperparameter("Anneal the learning rate linearly to 0 over --total-steps.") public var annealLearningRate = true
        @Hyperparameter("Passes over each rollout.") public var epochs = 10
        @Hyperparameter("Rows per minibatch.") public var batchSize = 128
        @Hyperparameter("Discount factor γ.") public var gamma = 0.98
        @Hyperparameter("GAE's λ (1: Monte-Carlo advantages, 0: one-step TD errors).") public var gaeLambda = 0.8
        @Hyperparameter("Clip range ε of the probability ratio.") public var clipRange = 0.2
        @Hyperparameter("Anneal the clip range linearly to 0 over --total-steps.") public var annealClipRange = true
        @Hyperparameter("Factor on the rewards the learner sees, so returns and values stay near unit size (e.g. 0.01 for −1 per step).") public var rewardScale = 1.0
        @Hyperparameter("Weight of the value loss.") public var valueCoefficient = 0.5
        @Hyperparameter("Stop a rollout's epochs once an epoch ends with the approximate KL from the rollout's policy above this (none: run every epoch).") public var targetKL: Double? = nil
        @Hyperparameter("Weight of the entropy bonus.") public var entropyCoefficient = 0.0
        @Hyperparameter("Clip gradients to this global L2 norm (0: no clipping).") public var maxGradNorm = 0.5
        @Hyperparameter("Hidden layer widths, comma-separated (a convolutional torso has its own, and both heads read it).") public var hiddenSizes = [64, 64]
        @Hyperparameter("Torso: auto (a CNN for image observations), mlp, minatar or nature.") public var torso = Torso.auto
        /// The hidden layers' activation. ReLU rather than the usual tanh: on CartPole it learns
        /// as fast and costs a fraction (tanh was over half of the training time).
        @Hyperparameter("Hidden-layer activation: relu, tanh, elu or sigmoid.") public var activation = Activation.relu
        @Hyperparameter("Whether actor and critic share their hidden layers: shared or separate.") public var sharing = ActorCriticNetwork.Sharing.separate
        @Hyperparameter("Initial log σ of a Gaussian policy (Box actions).") public var initialLogStd = 0.0
        /// Correlation in time of a Gaussian policy's exploration noise (0: white noise). Held
        /// pushes find MountainCarContinuous's flag where white noise almost never does.
        @Hyperparameter("Correlation in time of a Gaussian policy's exploration noise, in [0, 1) (0: white noise).") public var noiseCorrelation = 0.9
        @Hyperparameter("Scale observation features with finite bounds to [-1, 1].") public var scaleObservations = true
        /// As Stable-Baselines3's `VecNormalize` (RL Zoo's `normalize: true`), which its MuJoCo
        /// settings need; the statistics are saved with the policy and in checkpoints.
        @Hyperparameter("Standardise observations by their running mean and deviation instead (Box actions), clipped to ±--observation-clip.") public var standardizeObservations = false
        @Hyperparameter("Bound of standardised observations.") public var observationClip = 10.0
        @Hyperparameter("Divide the learner's rewards by the running deviation of the discounted return, clipped to ±--reward-clip.") public var standardizeRewards = false
        @Hyperparameter("Bound of standardised rewards.") public var rewardClip = 10.0
        @Hyperparameter("Training episodes whose mean return prompts a greedy validation.") public var solveWindow = 10
        /// Greedy episodes per validation (0: train the whole budget). Twenty, because ten lucky
        /// episodes stopped MountainCarContinuous runs that evaluated below the threshold.
        @Hyperparameter("Greedy episodes per validation (0: no early stopping).") public var validationEpisodes = 20
        @Hyperparameter("Validate once the recent mean is within this fraction of the reward threshold.") public var validationMargin = 0.1

        /// The defaults.
        public init() {}

        /// Why the arguments cannot run, or nil.
        public var problem: String? {
            if numEnvs < 1 || nSteps < 1 || totalSteps < 1 || epochs < 1 || batchSize < 1 {
                return "--num-envs, --n-steps, --total-steps, --epochs and --batch-size must be at least 1"
            }
            if hiddenSizes.contains(where: { $0 < 1 }) { return "hidden sizes must be positive" }
            if !(rewardScale > 0) || !rewardScale.isFinite { return "--reward-scale must be positive and finite" }
            if !(learningRate > 0) || !(0...1).contains(gamma) || !(0...1).contains(gaeLambda) {
                return "need a positive learning rate, and gamma and the GAE lambda in [0, 1]"
            }
            if !(clipRange > 0) { return "--clip-range must be positive" }
            if let targetKL, !(targetKL > 0) { return "--target-kl must be positive" }
            if valueCoefficient < 0 || entropyCoefficient < 0 { return "loss weights must not be negative" }
            if !(0..<1).contains(noiseCorrelation) { return "--noise-correlation must be in [0, 1)" }
            // The observation clip becomes a float32 bound: 1e300 is finite as a double, not as a float.
            if !(observationClip > 0) || !Float(observationClip).isFinite || !(rewardClip > 0) || !rewardClip.isFinite {
                return "--observation-clip and --reward-clip must be positive and finite (the observation clip as a float32)"
            }
            return nil
        }

    }

    /// Trains a PPO agent on `session`'s environment.
    public static func train(_ arguments: Arguments, session: TrainingSession) throws -> TrainedAgent {
        let args = try arguments.checked()
        let head = try ActorCriticNetwork.head(for: session.spec, initialLogStd: Float(args.initialLogStd))

        // Seeding: weights and minibatch order from their own streams; action sampling from the
        // exploration stream and Gaussian noise from another (inside the loop); environment i
        // resets with seed + i.
        var initRandom = SeededRNG(seed: session.seeds.initialization)
        var shuffleRandom = SeededRNG(seed: session.seeds.minibatchOrder)
        let scaling = args.scaleObservations ? BoxScaling(observations: session.spec.observationSpace)
                                             : .identity(ObservationEncoding.featureWidth(of: session.spec.observationSpace))
        // On images, as CleanRL's ppo_atari: one torso, with both heads reading its features.
        let network = if let design = try args.torso.convolution(for: session.spec.observationSpace) {
            try ActorCriticNetwork(torso: design, hiddenSizes: [], head: head, sharing: .shared, activation: .relu, rng: &initRandom)
        } else {
            ActorCriticNetwork(scaling: scaling, hiddenSizes: args.hiddenSizes, head: head, sharing: args.sharing,
                               activation: args.activation, rng: &initRandom)
        }
        if args.standardizeObservations, network.convolution != nil || !head.isGaussian {
            throw AgentError(.unsupportedEnvironment, "--standardize-observations needs a Box action space and an observation of features "
                             + "(a discrete policy is saved with its scaling folded into its first layer, which a clip cannot be)")
        }
        let optimizer = Adam(parameters: network.parameters, learningRate: args.learningRate)
        let graph = Graph()

        var loop = OnPolicyLoop(numEnvs: args.numEnvs, rolloutLength: args.nSteps, totalSteps: args.totalSteps, gamma: args.gamma, rewardScale: args.rewardScale,
                                noiseCorrelation: args.noiseCorrelation, solveWindow: args.solveWindow,
                                validationEpisodes: args.validationEpisodes, validationMargin: args.validationMargin)
        loop.observationClip = args.standardizeObservations ? args.observationClip : nil
        loop.rewardClip = args.standardizeRewards ? args.rewardClip : nil
        session.state.track("network", parameters: network.parameters)
        session.state.track("optimizer", optimizer: optimizer)
        session.state.track("minibatch_order", value: { shuffleRandom }, restore: { shuffleRandom = $0 })
        let (policy, steps, best) = try loop.run(session: session, network: network, tracked: true) { rollout, remaining in
            let (advantages, returns) = GeneralizedAdvantage.estimate(
                rewards: rollout.rewards, values: rollout.values, episodeEnds: rollout.episodeEnds, bootstrap: rollout.bootstrap,
                gamma: args.gamma, lambda: args.gaeLambda)
            if args.annealLearningRate { optimizer.learningRate = args.learningRate * remaining }
            let clip = Float(args.annealClipRange ? args.clipRange * remaining : args.clipRange)
            let minibatch = Minibatch(rollout: rollout, advantages: advantages.map(Float.init), returns: returns.map(Float.init))

            var sums = (policy: 0.0, value: 0.0, entropy: 0.0, clipped: 0.0, steps: 0.0)
            var order = Array(0..<rollout.count)
            var approximateKL = 0.0
            for _ in 0..<args.epochs {
                if let targetKL = args.targetKL, approximateKL > targetKL { break }
                shuffle(&order, random: &shuffleRandom)
                for start in stride(from: 0, to: order.count, by: args.batchSize) {
                    let rows = Array(order[start..<min(start + args.batchSize, order.count)])
                    let batch = minibatch.rows(rows)
                    graph.reset()
                    let (distribution, value) = network(graph.constant(network.input(batch.observations, count: rows.count)))
                    let logProbability = distribution.logProbability(of: batch.actions, count: rows.count)
                    let ratio = (logProbability - graph.constant(Tensor(shape: [rows.count], data: batch.oldLogProbabilities))).exp()
                    let advantage = graph.constant(Tensor(shape: [rows.count], data: Standardized.values(batch.advantages)))
                    let surrogate = (ratio * advantage).minimum(ratio.clamped(min: 1 - clip, max: 1 + clip) * advantage)
                    let policyLoss = -surrogate.mean()
                    let valueLoss = Loss.mse(value, target: Tensor(shape: [rows.count], data: batch.returns))
                    let entropy = distribution.meanEntropy
                    let loss = policyLoss + valueLoss * Float(args.valueCoefficient) - entropy * Float(args.entropyCoefficient)
                    optimizer.zeroGrad()
                    graph.backward(loss)
                    if args.maxGradNorm > 0 { GradientClipping.clipGradNorm(network.parameters, maxNorm: Float(args.maxGradNorm)) }
                    optimizer.step()

                    sums.policy += Double(policyLoss.value.scalar)
                    sums.value += Double(valueLoss.value.scalar)
                    sums.entropy += Double(entropy.value.scalar)
                    sums.clipped += Double(ratio.value.data.filter { abs($0 - 1) > clip }.count) / Double(rows.count)
                    // Schulman's low-variance estimator of KL(old ‖ new): mean of (ρ − 1) − log ρ.
                    approximateKL = ratio.value.data.reduce(0.0) { $0 + Double($1 - 1 - log($1)) } / Double(rows.count)
                    sums.steps += 1
                }
            }
            return [("losses/policy_loss", sums.policy / sums.steps), ("losses/value_loss", sums.value / sums.steps),
                    ("losses/entropy", sums.entropy / sums.steps), ("losses/clip_fraction", sums.clipped / sums.steps),
                    ("losses/approx_kl", approximateKL),
                    ("charts/learning_rate", optimizer.learningRate), ("charts/clip_range", Double(clip))]
        }
        var trained = TrainedAgent(policy: policy, steps: steps, episodes: session.monitor.episodes, hyperparameters: args.hyperparameters)
        trained.bestValidated = best
        return trained
    }

    /// Fisher–Yates, from a seeded stream.
    static func shuffle(_ order: inout [Int], random: inout SeededRNG) {
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, random.nextInt(below: i + 1)) }
    }
}
