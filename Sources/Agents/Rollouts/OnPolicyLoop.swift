import NeuralNet

/// The loop A2C and PPO share: play a rollout of every environment with the current policy,
/// learn from it, log, validate, repeat until the step budget is spent or a greedy validation
/// reaches the reward threshold.
struct OnPolicyLoop {
    /// Environments stepped as one batch.
    var numEnvs: Int
    /// Steps per environment in a rollout.
    var rolloutLength: Int
    /// Environment steps at most (all environments together).
    var totalSteps: Int
    /// Discount factor (also bootstraps episodes the time limit cut).
    var gamma: Double
    /// Factor on the rewards the learner sees (not on the returns reported).
    var rewardScale: Double = 1
    /// Correlation of a Gaussian policy's exploration noise in time.
    var noiseCorrelation: Double
    /// Training episodes in the recent mean that prompts a validation.
    var solveWindow: Int
    /// Greedy episodes per validation (0: no early stopping).
    var validationEpisodes: Int
    /// How far below the threshold (a fraction of its size) the recent mean prompts a validation.
    var validationMargin: Double
    /// Normalise observations by their running statistics, clipped to this (nil: the network's
    /// own fixed scaling). Needs a network on features, not images.
    var observationClip: Double? = nil
    /// Normalise the learner's rewards by the running deviation of the return, clipped to this
    /// (nil: raw rewards).
    var rewardClip: Double? = nil

    /// Runs the loop; `learn` gets each rollout and the fraction of the budget left before it
    /// (for annealing), and returns scalars to log. Returns the policy to keep, the steps taken
    /// and, when the run stopped early, the best validated policy. With `tracked`, the caller
    /// has tracked everything else it carries in the session's state (the network, its
    /// optimizer, its own streams), so checkpoints are written at rollout boundaries and a
    /// resumed run continues from one.
    func run(session: TrainingSession, network: ActorCriticNetwork, tracked: Bool = false,
             learn: (OnPolicyRollout, _ remaining: Double) -> [(tag: String, value: Double)]) throws
        -> (policy: any Policy, steps: Int, best: (any Policy)?) {
        let monitor = session.monitor
        var random = SeededRNG(seed: session.seeds.exploration)
        let envs = try VectorRollout(connection: session.connection, env: session.env, kwargs: session.envArguments, count: numEnvs,
                                     seed: session.seeds.trainingEnvironments, acceptingBox: true)
        defer { envs.close() }
        guard envs.observationSize == network.observationSize else {
            throw AgentError(.unsupportedEnvironment, "\(session.env) has \(envs.observationSize) features; the network reads \(network.observationSize)")
        }
        var noise: CorrelatedNoise?
        if case .gaussian(let dimensions, _) = network.head {
            // Stream 5: the Gaussian's noise has a stream of its own (4 is PPO's minibatch order).
            noise = CorrelatedNoise(count: numEnvs * dimensions, correlation: noiseCorrelation, seed: session.seeds.actionNoise)
        }
        let rollout = OnPolicyRollout(envs: envs, length: rolloutLength, head: network.head, noise: noise)
        if let rewardClip { rollout.rewardNormalization = ReturnNormalization(environments: numEnvs, gamma: gamma, clip: rewardClip) }
        var observations = observationClip.map { ObservationNormalization(width: envs.observationSize, clip: $0) }
        let validation = PolicyValidation(session: session, window: solveWindow, episodes: validationEpisodes, margin: validationMargin)

        var step = 0
        var updates = 0
        let state = session.state
        state.track("exploration", value: { random }, restore: { random = $0 })
        state.track("loop", counters: { LoopCounters(step: step, updates: updates) }, restore: { (step, updates) = ($0.step, $0.updates) })
        rollout.track(in: state)
        if let initial = observations {
            let width = envs.observationSize
            state.track("observation_normalization", value: { observations ?? initial }, restore: { saved in
                if let problem = saved.problem(width: width) { throw RunStateError("has \(problem)") }
                observations = saved
            })
        }
        validation.track(in: state)
        envs.track(in: state)
        if tracked { state.markComplete() }
        try session.begin()

        while step < totalSteps {
          do {
            let remaining = 1 - Double(step) / Double(totalSteps)
            let start = step
            // The statistics of the rollouts before this one: it is collected and learnt from
            // with one normalisation, which the policies made after it keep.
            if let observations { network.rescale(observations.scaling) }
            try rollout.collect(network, gamma: gamma, rewardScale: rewardScale, random: &random) { monitor.episode($0, step: start + $1 * numEnvs) }
            observations?.observe(rollout.observations, rows: rollout.count)
            step += rollout.count
            let scalars = learn(rollout, remaining)
            updates += 1
            if updates % 10 == 0 { for (tag, value) in scalars { monitor.scalar(tag, value, step: step) } }
            if try validation.solved(step: step, policy: { network.greedyPolicy(envs.actionLayout) }) {
                return (network.greedyPolicy(envs.actionLayout), step, nil)
            }
            monitor.tick(step: step)
          } catch where session.connectionLost(error) {
            break
          }
            if try session.boundary(step: step) { break }
        }
        if session.stopReason != nil { return (network.greedyPolicy(envs.actionLayout), step, validation.bestPolicy) }
        return (try validation.keep(network.greedyPolicy(envs.actionLayout), step: step), step, nil)
    }
}

/// Settings every policy-gradient method shares, with their saved names.
extension [String: MetadataValue] {
    /// Adds the network's settings.
    mutating func addNetwork(hiddenSizes: [Int], activation: Activation, sharing: ActorCriticNetwork.Sharing) {
        self["hidden_sizes"] = .ints(hiddenSizes)
        self["activation"] = .string(activation.hyperparameterText)
        self["sharing"] = .string(sharing.rawValue)
    }
}
