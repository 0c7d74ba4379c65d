import NeuralNet

/// Twin Delayed DDPG (Fujimoto et al. 2018).
///
/// DDPG with three fixes for the critic's overestimation: twin critics, whose smaller value is
/// the target, `y = r + γ (1 − terminated) min(Q'₁, Q'₂)(s', ã')`; target policy smoothing,
/// `ã' = clip(μ'(s') + clip(ε, −c, c), −1, 1)` with `ε ~ N(0, σ̃²)`, so the target does not
/// exploit a narrow peak of the critic; and delayed updates, the actor and all targets moving
/// once every `policyDelay` critic steps. Exploration adds Gaussian noise to the actor's action.
/// The loop (act, step, store, learn) is `OffPolicyLoop`.
///
/// The paper uses 400-300 networks, lr 1e-3, batch 100, τ = 5e-3, exploration σ = 0.1,
/// smoothing σ̃ = 0.2 clipped at 0.5, delay 2; the defaults keep all but the width (32-32) and batch (64).
public enum TD3: TrainableAlgorithm {
    /// `gym train td3`.
    public static let name = "td3"
    /// What `gym train --help` says of it.
    public static let summary = "Twin Delayed DDPG: twin critics, target policy smoothing, delayed actor updates (Box actions)."
    /// What `gym train td3 --help` adds.
    public static let details = """
    The paper's settings are --hidden-sizes 400,300 --batch-size 100 with the defaults below; \
    the defaults use 32-32 networks and batch 64, which reach Pendulum-v1's -200 within 20,000 steps several \
    times faster.
    """

    /// Everything a run can set.
    public struct Arguments: HyperparameterSet {
        /// Budget, replay, schedule and widths.
        public var common = OffPolicyArguments()
        @Hyperparameter("Standard deviation of the Gaussian exploration noise, in units where [-1, 1] spans the action bounds.") public var explorationNoise = 0.1
        @Hyperparameter("Standard deviation of the target policy smoothing noise.") public var targetNoise = 0.2
        @Hyperparameter("The smoothing noise is clipped to [-c, c].") public var targetNoiseClip = 0.5
        @Hyperparameter("Critic steps per actor step (and target update).") public var policyDelay = 2
        @Hyperparameter("Correlation in time of the exploration noise, in [0, 1) (0: white noise; 0.9 or more holds a push long enough to swing MountainCarContinuous-v0 up).") public var noiseCorrelation = 0.0

        /// The defaults.
        public init() {}

        /// Why the arguments cannot run, or nil.
        public var problem: String? {
            if let problem = common.problem { return problem }
            if explorationNoise < 0 || targetNoise < 0 || targetNoiseClip < 0 { return "noise scales must not be negative" }
            if policyDelay < 1 { return "--policy-delay must be at least 1" }
            if !(0..<1).contains(noiseCorrelation) { return "--noise-correlation must be in [0, 1)" }
            return nil
        }

    }

    /// Trains an actor and twin critics on `session`'s environment.
    public static func train(_ arguments: Arguments, session: TrainingSession) throws -> TrainedAgent {
        let args = try arguments.checked()
        let loop = try OffPolicyLoop(session: session, arguments: args.common)
        let obsSize = loop.layout.observationSize, actSize = loop.layout.actionSize

        // Seeding: initial weights, exploration noise and smoothing noise each draw from their own stream.
        var initRandom = SeededRNG(seed: session.seeds.initialization)
        var explorationRandom = SeededRNG(seed: session.seeds.exploration)
        var smoothingRandom = SeededRNG(seed: session.seeds.targetSmoothing)

        // Networks (PyTorch's default initialisation), targets, optimizers.
        let actorSizes = [obsSize] + args.common.hiddenSizes + [actSize]
        func makeActor() -> MLP { MLP(sizes: actorSizes, activation: .relu, outputActivation: .tanh, rng: &initRandom) }
        func makeCritic() -> ActionValueNetwork {
            ActionValueNetwork(observationSize: obsSize, actionSize: actSize, hiddenSizes: args.common.hiddenSizes, actionLayer: 0,
                               initialization: .pytorchDefault, rng: &initRandom)
        }
        let actor = makeActor(), critics = [makeCritic(), makeCritic()]
        let actorTarget = makeActor(), criticTargets = [makeCritic(), makeCritic()]
        actorTarget.copy(from: actor)
        for (target, critic) in zip(criticTargets, critics) { target.copy(from: critic) }
        let actorOptimizer = Adam(parameters: actor.parameters, learningRate: args.common.actorLearningRate)
        let criticOptimizer = Adam(parameters: critics.flatMap(\.parameters), learningRate: args.common.criticLearningRate)
        let graph = Graph()
        let gamma = args.common.gamma, tau = Float(args.common.tau)
        let sigma = Float(args.targetNoise), clip = Float(args.targetNoiseClip)

        /// One critic step; every `policyDelay`-th also an actor step and the target updates.
        func learn(_ batch: ReplayBatch, update: Int) -> [(tag: String, value: Double)] {
            // Critics: regress both on r + γ (1 − terminated) min(Q'₁, Q'₂)(s', smoothed μ'(s')).
            var nextActions = actorTarget.predict(batch.nextObservations)
            for index in nextActions.data.indices {
                let noise = min(max(sigma * smoothingRandom.nextNormal(), -clip), clip)
                nextActions.data[index] = min(max(nextActions.data[index] + noise, -1), 1)
            }
            let next1 = criticTargets[0].predict(batch.nextObservations, nextActions)
            let next2 = criticTargets[1].predict(batch.nextObservations, nextActions)
            let targets = OffPolicyLoop.targets(batch, nextValues: zip(next1.data, next2.data).map { min($0, $1) }, gamma: gamma)
            graph.reset()
            let states = graph.constant(batch.observations), actions = graph.constant(batch.actions)
            let q1 = critics[0](states, actions)
            let criticLoss = Loss.mse(q1, target: targets) + Loss.mse(critics[1](states, actions), target: targets)
            criticOptimizer.zeroGrad()
            graph.backward(criticLoss)
            criticOptimizer.step()
            var logged: [(tag: String, value: Double)] = update % 100 == 0
                ? [("losses/critic_loss", Double(criticLoss.value.scalar)), ("losses/q_values", Double(q1.value.data.reduce(0, +)) / Double(batch.size))]
                : []
            guard update % args.policyDelay == 0 else { return logged }

            // Actor: ascend Q₁(s, μ(s)); then every target moves.
            graph.reset()
            graph.freeze(critics[0].parameters)
            let observed = graph.constant(batch.observations)
            let actorLoss = -critics[0](observed, actor(observed)).mean()
            actorOptimizer.zeroGrad()
            graph.backward(actorLoss)
            actorOptimizer.step()
            actorTarget.softUpdate(from: actor, tau: tau)
            for (target, critic) in zip(criticTargets, critics) { target.softUpdate(from: critic, tau: tau) }
            if !logged.isEmpty { logged.append(("losses/actor_loss", Double(actorLoss.value.scalar))) }
            return logged
        }

        // Checkpoints: everything the learner carries (the loop tracks replay, counters, envs).
        let state = session.state
        state.track("actor", parameters: actor.parameters)
        state.track("actor_target", parameters: actorTarget.parameters)
        for (index, critic) in critics.enumerated() { state.track("critic\(index + 1)", parameters: critic.parameters) }
        for (index, target) in criticTargets.enumerated() { state.track("critic\(index + 1)_target", parameters: target.parameters) }
        state.track("actor_optimizer", optimizer: actorOptimizer)
        state.track("critic_optimizer", optimizer: criticOptimizer)
        state.track("exploration", value: { explorationRandom }, restore: { explorationRandom = $0 })
        state.track("target_smoothing", value: { smoothingRandom }, restore: { smoothingRandom = $0 })

        // Act: the actor's action plus Gaussian noise, white or (β > 0, a stream of its own) correlated in time.
        let explorationScale = Float(args.explorationNoise)
        var correlated = args.noiseCorrelation > 0
            ? CorrelatedNoise(count: args.common.numEnvs * actSize, correlation: args.noiseCorrelation, seed: session.seeds.actionNoise) : nil
        if let initial = correlated {
            state.track("action_noise", noise: { correlated ?? initial }, restore: { correlated = $0 })
        }
        return try loop.run(
            policy: loop.policy(actor), hyperparameters: args.hyperparameters, tracked: true,
            explore: { observations in
                let actions = actor.predict(observations).data
                if var noise = correlated, noise.state.count == actions.count {
                    defer { correlated = noise }
                    return zip(actions, noise.next()).map { $0 + explorationScale * $1 }
                }
                return actions.map { $0 + explorationScale * explorationRandom.nextNormal() }
            },
            learn: learn)
    }
}
