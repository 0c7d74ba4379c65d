/// The settings DDPG, TD3 and SAC share: the budget, the replay, the update schedule, the
/// learning rates and the network widths. Defaults are the ones that reach Pendulum-v1's bar (mean return ≥ −200)
/// within 20,000 steps fastest on one core: 32-32 networks and minibatches of 64 reached it for
/// seeds 1–5 of all three algorithms in about a third of the time of 64-64 and 128.
public struct OffPolicyArguments: HyperparameterSet {
    @Hyperparameter("Environments stepped side by side.") public var numEnvs = 1
    @Hyperparameter("Environment steps, all environments together.") public var totalSteps = 20_000
    @Hyperparameter("Transitions the replay buffer holds.") public var bufferSize = 100_000
    @Hyperparameter("Transitions per gradient step.") public var batchSize = 64
    @Hyperparameter("Discount factor γ.") public var gamma = 0.99
    @Hyperparameter("Target networks' Polyak rate: θ' ← τθ + (1−τ)θ' at each target update (every gradient step; TD3: every actor step).") public var tau = 0.005
    @Hyperparameter("Environment steps of uniformly random actions before learning starts.") public var learningStarts = 500
    @Hyperparameter("Gradient steps per environment step.") public var updatesPerStep = 1.0
    @Hyperparameter("The actor's Adam learning rate (DDPG paper: 1e-4).", aliases: ["actor-lr"]) public var actorLearningRate = 1e-3
    @Hyperparameter("The critics' Adam learning rate (DDPG paper: 1e-3).", aliases: ["critic-lr"]) public var criticLearningRate = 1e-3
    @Hyperparameter("Hidden layer widths of actor and critics, comma-separated.") public var hiddenSizes = [32, 32]
    @Hyperparameter("Scale observations with finite bounds into [-1, 1].") public var normalizeObservations = true

    @Hyperparameter("Training episodes whose mean return must reach the threshold before a greedy validation.") public var solveWindow = 10
    /// Off by default, so runs without it train their whole budget as they always have.
    @Hyperparameter("Greedy episodes per validation (0: no early stopping).") public var validationEpisodes = 0

    /// The defaults.
    public init() {}

    /// Why the arguments cannot run, or nil.
    public var problem: String? {
        if numEnvs < 1 { return "--num-envs must be at least 1" }
        if totalSteps < 1 || batchSize < 1 || bufferSize < 1 || learningStarts < 0 { return "step counts and sizes must be positive" }
        if bufferSize >= ReplayBuffer.maxCapacity { return "--buffer-size must be below \(ReplayBuffer.maxCapacity)" }
        if hiddenSizes.isEmpty || hiddenSizes.contains(where: { $0 < 1 }) { return "hidden sizes must be positive (at least one layer)" }
        if !(0...1).contains(gamma) || !(tau > 0 && tau <= 1) { return "need gamma in [0, 1] and tau in (0, 1]" }
        if !(updatesPerStep > 0) { return "--updates-per-step must be positive" }
        if !(actorLearningRate > 0) || !(criticLearningRate > 0) { return "learning rates must be positive" }
        if solveWindow < 1 || validationEpisodes < 0 { return "--solve-window must be at least 1 and --validation-episodes not negative" }
        return nil
    }

}
