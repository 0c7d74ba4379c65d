import NeuralNet

/// Deep Deterministic Policy Gradient (Lillicrap et al. 2016).
///
/// An actor `μ(s)` (tanh output, in `[−1, 1]` units stretched over the Box bounds) and a critic
/// `Q(s, a)` learn from replayed minibatches: the critic regresses on
/// `y = r + γ (1 − terminated) Q'(s', μ'(s'))` from target networks that trail by Polyak
/// averaging, and the actor climbs `Q(s, μ(s))`. Exploration adds Ornstein–Uhlenbeck noise
/// to the actor's actions. The loop (act, step, store, learn) is `OffPolicyLoop`.
///
/// The paper's settings (actor and critic 400-300, action into the critic's second layer,
/// actor lr 1e-4, critic lr 1e-3 with L2 weight decay 1e-2, τ = 1e-3, batch 64, OU θ = 0.15,
/// σ = 0.2) are all options (`Arguments.paper`); the defaults keep the OU noise and differ
/// where that reaches Pendulum-v1's bar within 20,000 steps: 32-32 networks (400-300 cost tens
/// of times the time), the action at the critic's input (with 64-unit layers and the action at
/// the second layer the actor stayed around −850 on Pendulum), faster learning, τ = 5e-3, no
/// weight decay.
public enum DDPG {
    /// Everything a run can set.
    public struct Arguments: HyperparameterSet {
        /// Budget, replay, schedule and widths.
        public var common = OffPolicyArguments()
        @Hyperparameter("L2 weight decay on the critic (paper: 1e-2).") public var criticWeightDecay = 0.0
        @Hyperparameter("The hidden layer whose input the action joins: 0 (with the observation) or 1 (paper).") public var criticActionLayer = 0
        @Hyperparameter("Ornstein-Uhlenbeck mean reversion θ (paper: 0.15).", aliases: ["ou-theta"]) public var noiseTheta = 0.15
        @Hyperparameter("Ornstein-Uhlenbeck σ, in units where [-1, 1] spans the action bounds (paper: 0.2).", aliases: ["ou-sigma"]) public var noiseSigma = 0.2
        @Hyperparameter("Ornstein-Uhlenbeck time step (paper: 1; the lecture notebook: 0.01).", aliases: ["ou-dt"]) public var noiseDt = 1.0

        /// The defaults.
        public init() {}

        /// The paper's settings (with this package's budget and loop).
        public static var paper: Arguments {
            var args = Arguments()
            args.common.hiddenSizes = [400, 300]
            args.common.batchSize = 64
            args.common.tau = 1e-3
            args.common.actorLearningRate = 1e-4
            args.common.criticLearningRate = 1e-3
            args.criticWeightDecay = 1e-2
            args.criticActionLayer = 1
            return args
        }

        /// Why the arguments cannot run, or nil.
        public var problem: String? {
            if let problem = common.problem { return problem }
            if criticWeightDecay < 0 { return "--critic-weight-decay must not be negative" }
            if criticActionLayer < 0 || criticActionLayer >= common.hiddenSizes.count { return "--critic-action-layer must name a hidden layer (0 or 1 with two)" }
            if noiseTheta < 0 || noiseSigma < 0 || !(noiseDt > 0) { return "OU θ and σ must not be negative, dt must be positive" }
            return nil
        }

    }

    /// Trains an actor and a critic on `session`'s environment.
    public static func train(_ arguments: Arguments, session: TrainingSession) throws -> TrainedAgent {
        let args = try arguments.checked()
        let loop = try OffPolicyLoop(session: session, arguments: args.common)
        let obsSize = loop.layout.observationSize, actSize = loop.layout.actionSize

        // Seeding: initial weights and the OU noise each draw from their own stream.
        var initRandom = SeededRNG(seed: session.seeds.initialization)
        var noise = OrnsteinUhlenbeckNoise(environments: args.common.numEnvs, width: actSize, theta: args.noiseTheta,
                                           sigma: args.noiseSigma, dt: args.noiseDt, seed: session.seeds.exploration)

        // Networks (the paper's fan-in initialisation, final layers near zero), targets, optimizers.
        let actorSizes = [obsSize] + args.common.hiddenSizes + [actSize]
        let actor = MLP(sizes: actorSizes, activation: .relu, outputActivation: .tanh, initialization: .ddpgFanIn(), rng: &initRandom)
        let critic = ActionValueNetwork(observationSize: obsSize, actionSize: actSize, hiddenSizes: args.common.hiddenSizes,
                                        actionLayer: args.criticActionLayer, initialization: .ddpgFanIn(), rng: &initRandom)
        let actorTarget = MLP(sizes: actorSizes, activation: .relu, outputActivation: .tanh, rng: &initRandom)
        let criticTarget = ActionValueNetwork(observationSize: obsSize, actionSize: actSize, hiddenSizes: args.common.hiddenSizes,
                                              actionLayer: args.criticActionLayer, initialization: .pytorchDefault, rng: &initRandom)
        actorTarget.copy(from: actor)
        criticTarget.copy(from: critic)
        let actorOptimizer = Adam(parameters: actor.parameters, learningRate: args.common.actorLearningRate)
        let criticOptimizer = Adam(parameters: critic.parameters, learningRate: args.common.criticLearningRate, weightDecay: args.criticWeightDecay)
        let graph = Graph()
        let gamma = args.common.gamma, tau = Float(args.common.tau)

        /// One gradient step of the critic, then the actor, then both targets.
        func learn(_ batch: ReplayBatch, update: Int) -> [(tag: String, value: Double)] {
            // Critic: regress Q(s, a) on r + γ (1 − terminated) Q'(s', μ'(s')).
            let nextValues = criticTarget.predict(batch.nextObservations, actorTarget.predict(batch.nextObservations))
            let targets = OffPolicyLoop.targets(batch, nextValues: nextValues.data, gamma: gamma)
            graph.reset()
            let q = critic(graph.constant(batch.observations), graph.constant(batch.actions))
            let criticLoss = Loss.mse(q, target: targets)
            criticOptimizer.zeroGrad()
            graph.backward(criticLoss)
            criticOptimizer.step()
            let logged = update % 100 == 0
                ? [("losses/critic_loss", Double(criticLoss.value.scalar)), ("losses/q_values", Double(q.value.data.reduce(0, +)) / Double(batch.size))]
                : []

            // Actor: ascend Q(s, μ(s)); only the actor's optimizer steps.
            graph.reset()
            graph.freeze(critic.parameters)
            let states = graph.constant(batch.observations)
            let actorLoss = -critic(states, actor(states)).mean()
            actorOptimizer.zeroGrad()
            graph.backward(actorLoss)
            actorOptimizer.step()

            actorTarget.softUpdate(from: actor, tau: tau)
            criticTarget.softUpdate(from: critic, tau: tau)
            return logged.isEmpty ? [] : logged + [("losses/actor_loss", Double(actorLoss.value.scalar))]
        }

        // Checkpoints: everything the learner carries (the loop tracks replay, counters, envs).
        let state = session.state
        state.track("actor", parameters: actor.parameters)
        state.track("critic", parameters: critic.parameters)
        state.track("actor_target", parameters: actorTarget.parameters)
        state.track("critic_target", parameters: criticTarget.parameters)
        state.track("actor_optimizer", optimizer: actorOptimizer)
        state.track("critic_optimizer", optimizer: criticOptimizer)
        state.track("ou_noise", save: { (noise.random, ["state": Tensor(shape: [noise.state.count], data: noise.state)]) },
                    restore: { (random: SeededRNG, tensors: [String: Tensor]) in
                        guard let saved = tensors["state"], saved.shape == [noise.state.count], saved.data.allSatisfy(\.isFinite) else {
                            throw RunStateError("has OU noise that does not fit \(noise.state.count) values")
                        }
                        noise.state = saved.data
                        noise.random = random
                    })

        // Act: the actor's action plus OU noise, restarted with each episode.
        return try loop.run(
            policy: loop.policy(actor), hyperparameters: args.hyperparameters, tracked: true,
            explore: { observations in
                let actions = actor.predict(observations).data
                return zip(actions, noise.next()).map { $0 + $1 }
            },
            episodeEnded: { noise.reset(environment: $0) },
            learn: learn)
    }
}
