import Foundation
import NeuralNet

/// Soft Actor-Critic (Haarnoja et al. 2018, with the automatic temperature of their follow-up).
///
/// The actor is a squashed Gaussian: a shared trunk gives a mean `μ(s)` and a log standard
/// deviation `log σ(s)` (clamped), and actions are `tanh(μ + σ ε)` with `ε ~ N(0, I)`, whose log
/// density is the Gaussian's minus `Σ log(1 − tanh²)`. Twin critics regress on the soft target
/// `y = r + γ (1 − terminated) (min(Q'₁, Q'₂)(s', a') − α log π(a'|s'))` with `a' ~ π(·|s')`; the
/// actor minimises `α log π(a|s) − min(Q₁, Q₂)(s, a)` through the reparameterised sample; and
/// the temperature `α = exp(log α)` follows `−log α · (log π + target entropy)` so the policy's
/// entropy stays near the target (−action size by default). Targets trail every step by Polyak
/// averaging. The saved policy acts with `tanh(μ(s))`. The loop is `OffPolicyLoop`.
///
/// The paper uses 256-256 networks, lr 3e-4, batch 256, τ = 5e-3; the defaults use 32-32 networks, batch 64
/// and lr 1e-3, which reach Pendulum-v1's −200 within 20,000 steps several times faster.
public enum SAC: TrainableAlgorithm {
    /// `gym train sac`.
    public static let name = "sac"
    /// What `gym train --help` says of it.
    public static let summary = "Soft Actor-Critic: squashed Gaussian actor, twin critics, automatic entropy tuning (Box actions)."
    /// What `gym train sac --help` adds.
    public static let details = """
    The paper's settings are --hidden-sizes 256,256 --batch-size 256 --actor-lr 0.0003 \
    --critic-lr 0.0003 --alpha-lr 0.0003; the defaults use 32-32 networks, batch 64 and lr 0.001, which \
    reach Pendulum-v1's -200 within 20,000 steps several times faster.
    """

    /// Everything a run can set.
    public struct Arguments: HyperparameterSet {
        /// Budget, replay, schedule and widths.
        public var common = OffPolicyArguments()
        @Hyperparameter("The temperature's Adam learning rate.", aliases: ["alpha-lr"]) public var alphaLearningRate = 1e-3
        @Hyperparameter("The starting temperature α of automatic entropy tuning.") public var initialAlpha = 1.0
        @Hyperparameter("Keep the temperature α fixed at this value (no automatic tuning).", aliases: ["alpha"]) public var fixedAlpha: Double? = nil
        @Hyperparameter("The entropy automatic tuning aims at (none: minus the action size).") public var targetEntropy: Double? = nil
        @Hyperparameter("Bounds of the actor's log standard deviation.") public var logStdRange: ClosedRange<Double> = -5...2
        @Hyperparameter("Correlation in time of the noise ε in the actions the actor plays, in [0, 1) (0: white noise; the learning step's samples stay white).") public var noiseCorrelation = 0.0

        /// The defaults.
        public init() {}

        /// Why the arguments cannot run, or nil.
        public var problem: String? {
            if let problem = common.problem { return problem }
            if !(alphaLearningRate > 0) { return "learning rates must be positive" }
            if !(initialAlpha > 0) || (fixedAlpha.map { !($0 >= 0) } ?? false) { return "the temperature must be positive" }
            if !(0..<1).contains(noiseCorrelation) { return "--noise-correlation must be in [0, 1)" }
            return nil
        }

    }

    /// The squashed Gaussian actor: a ReLU trunk and two linear heads.
    final class Actor {
        let trunk: MLP
        let mean: Dense
        let logStd: Dense
        let logStdRange: ClosedRange<Float>

        init(sizes: [Int], actionSize: Int, logStdRange: ClosedRange<Float>, rng: inout SeededRNG) {
            trunk = MLP(sizes: sizes, activation: .relu, outputActivation: .relu, rng: &rng)
            mean = Dense(inputSize: sizes[sizes.count - 1], outputSize: actionSize, rng: &rng)
            logStd = Dense(inputSize: sizes[sizes.count - 1], outputSize: actionSize, rng: &rng)
            self.logStdRange = logStdRange
        }

        var parameters: [Parameter] { trunk.parameters + mean.parameters + logStd.parameters }

        /// `tanh(μ(s))`: the deterministic network that is saved (it shares these layers).
        var deterministic: MLP { MLP(layers: trunk.layers + [mean], activation: .relu, outputActivation: .tanh) }

        /// Reparameterised actions in `[−1, 1]` and their log densities `[rows, 1]`, for standard normal `noise`.
        func sample(_ observations: Variable, noise: Tensor) -> (actions: Variable, logProbability: Variable) {
            let graph = observations.graph
            let h = trunk(observations)
            let logStd = self.logStd(h).clamped(min: logStdRange.lowerBound, max: logStdRange.upperBound)
            let actions = (mean(h) + logStd.exp() * graph.constant(noise)).tanh()
            // log N(u; μ, σ) = −ε²/2 − log σ − log(2π)/2, and the tanh squash takes log(1 − a²) off.
            let quadratic = Tensor(shape: noise.shape, data: noise.data.map { -0.5 * $0 * $0 - 0.5 * Float(log(2 * Double.pi)) })
            let gaussian = (graph.constant(quadratic) - logStd).sum(axis: 1, keepDim: true)
            let squash = ((1 - actions.square()) + 1e-6).log().sum(axis: 1, keepDim: true)
            return (actions, gaussian - squash)
        }
    }

    /// Trains a squashed Gaussian actor and twin critics on `session`'s environment.
    public static func train(_ arguments: Arguments, session: TrainingSession) throws -> TrainedAgent {
        let args = try arguments.checked()
        let loop = try OffPolicyLoop(session: session, arguments: args.common)
        let obsSize = loop.layout.observationSize, actSize = loop.layout.actionSize

        // Seeding: initial weights, acting and the learner's action samples each draw from their own stream.
        var initRandom = SeededRNG(seed: session.seeds.initialization)
        var actingRandom = SeededRNG(seed: session.seeds.exploration)
        var sampleRandom = SeededRNG(seed: session.seeds.policySamples)

        // Networks (PyTorch's default initialisation), targets, optimizers, temperature.
        let actor = Actor(sizes: [obsSize] + args.common.hiddenSizes, actionSize: actSize,
                          logStdRange: Float(args.logStdRange.lowerBound)...Float(args.logStdRange.upperBound), rng: &initRandom)
        func makeCritic() -> ActionValueNetwork {
            ActionValueNetwork(observationSize: obsSize, actionSize: actSize, hiddenSizes: args.common.hiddenSizes, actionLayer: 0,
                               initialization: .pytorchDefault, rng: &initRandom)
        }
        let critics = [makeCritic(), makeCritic()], criticTargets = [makeCritic(), makeCritic()]
        for (target, critic) in zip(criticTargets, critics) { target.copy(from: critic) }
        let actorOptimizer = Adam(parameters: actor.parameters, learningRate: args.common.actorLearningRate)
        let criticOptimizer = Adam(parameters: critics.flatMap(\.parameters), learningRate: args.common.criticLearningRate)
        let logAlpha = Parameter(Tensor(shape: [1], data: [Float(log(args.fixedAlpha ?? args.initialAlpha))]))
        let alphaOptimizer = Adam(parameters: [logAlpha], learningRate: args.alphaLearningRate)
        let targetEntropy = Float(args.targetEntropy ?? -Double(actSize))
        let graph = Graph(), targetGraph = Graph()
        let gamma = args.common.gamma, tau = Float(args.common.tau), batchSize = args.common.batchSize

        func normalNoise(_ rows: Int) -> Tensor { Tensor.normal([rows, actSize], rng: &sampleRandom) }

        /// One step of the critics, the actor and the temperature, then the targets.
        func learn(_ batch: ReplayBatch, update: Int) -> [(tag: String, value: Double)] {
            let alpha = Foundation.exp(logAlpha.value.data[0])

            // Critics: regress both on r + γ (1 − terminated) (min(Q'₁, Q'₂)(s', a') − α log π(a'|s')).
            targetGraph.reset()
            let next = actor.sample(targetGraph.constant(batch.nextObservations), noise: normalNoise(batchSize))
            let nextActions = next.actions.value, nextLogProbability = next.logProbability.value.data
            let next1 = criticTargets[0].predict(batch.nextObservations, nextActions)
            let next2 = criticTargets[1].predict(batch.nextObservations, nextActions)
            let softValues = (0..<batchSize).map { min(next1.data[$0], next2.data[$0]) - alpha * nextLogProbability[$0] }
            let targets = OffPolicyLoop.targets(batch, nextValues: softValues, gamma: gamma)
            graph.reset()
            let states = graph.constant(batch.observations), actions = graph.constant(batch.actions)
            let q1 = critics[0](states, actions)
            let criticLoss = Loss.mse(q1, target: targets) + Loss.mse(critics[1](states, actions), target: targets)
            criticOptimizer.zeroGrad()
            graph.backward(criticLoss)
            criticOptimizer.step()
            let logged: [(tag: String, value: Double)] = update % 100 == 0
                ? [("losses/critic_loss", Double(criticLoss.value.scalar)), ("losses/q_values", Double(q1.value.data.reduce(0, +)) / Double(batchSize)),
                   ("losses/alpha", Double(alpha))]
                : []

            // Actor: minimise α log π(a|s) − min(Q₁, Q₂)(s, a) through the reparameterised sample.
            graph.reset()
            graph.freeze(critics.flatMap(\.parameters))
            let observed = graph.constant(batch.observations)
            let sample = actor.sample(observed, noise: normalNoise(batchSize))
            let value = critics[0](observed, sample.actions).minimum(critics[1](observed, sample.actions))
            let actorLoss = (sample.logProbability * alpha - value).mean()
            actorOptimizer.zeroGrad()
            graph.backward(actorLoss)
            actorOptimizer.step()

            // Temperature: d/d log α of −log α · mean(log π + target entropy).
            if args.fixedAlpha == nil {
                let logProbabilities = sample.logProbability.value.data
                let meanGap = logProbabilities.reduce(0, +) / Float(logProbabilities.count) + targetEntropy
                logAlpha.grad.data[0] = -meanGap
                alphaOptimizer.step()
            }

            for (target, critic) in zip(criticTargets, critics) { target.softUpdate(from: critic, tau: tau) }
            return logged.isEmpty ? [] : logged + [("losses/actor_loss", Double(actorLoss.value.scalar))]
        }

        // Checkpoints: everything the learner carries (the loop tracks replay, counters, envs).
        let state = session.state
        state.track("actor", parameters: actor.parameters)
        for (index, critic) in critics.enumerated() { state.track("critic\(index + 1)", parameters: critic.parameters) }
        for (index, target) in criticTargets.enumerated() { state.track("critic\(index + 1)_target", parameters: target.parameters) }
        state.track("log_alpha", parameters: [logAlpha])
        state.track("actor_optimizer", optimizer: actorOptimizer)
        state.track("critic_optimizer", optimizer: criticOptimizer)
        state.track("alpha_optimizer", optimizer: alphaOptimizer)
        state.track("acting", value: { actingRandom }, restore: { actingRandom = $0 })
        state.track("policy_samples", value: { sampleRandom }, restore: { sampleRandom = $0 })

        // Correlated acting noise (β > 0) has a stream of its own; β = 0 keeps the white draws above.
        var correlated = args.noiseCorrelation > 0
            ? CorrelatedNoise(count: args.common.numEnvs * actSize, correlation: args.noiseCorrelation, seed: session.seeds.actionNoise) : nil
        if let initial = correlated {
            state.track("action_noise", noise: { correlated ?? initial }, restore: { correlated = $0 })
        }
        func actingNoise(_ rows: Int) -> Tensor {
            if var noise = correlated, noise.state.count == rows * actSize {
                defer { correlated = noise }
                return Tensor(shape: [rows, actSize], data: noise.next())
            }
            return Tensor.normal([rows, actSize], rng: &actingRandom)
        }

        // Act: a sample of the squashed Gaussian.
        let exploreGraph = Graph()
        return try loop.run(
            policy: loop.policy(actor.deterministic), hyperparameters: args.hyperparameters, tracked: true,
            explore: { observations in
                exploreGraph.reset()
                let rows = observations.shape[0]
                return actor.sample(exploreGraph.constant(observations), noise: actingNoise(rows)).actions.value.data
            },
            learn: learn)
    }
}
