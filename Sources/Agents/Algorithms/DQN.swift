import GymCore
import NeuralNet

/// Deep Q-Network (Mnih et al. 2015), with double-DQN targets (van Hasselt et al. 2016).
///
/// A Q network learns `Q(s, a)` from minibatches of a replay buffer against a target network,
/// `y = r + γ (1 − terminated) Q_target(s', argmax_a Q(s', a))`, under an MSE (or Huber) loss,
/// with global-norm gradient clipping. Actions are ε-greedy on a linear schedule. Several
/// environments step as one batch on the daemon, and the gradient steps for a batch run while
/// the daemon simulates the next one. Training stops early once recent episodes reach the
/// environment's reward threshold and a greedy validation (on seeds of its own) confirms it.
///
/// The defaults solve CartPole-v1 in a few seconds on two cores.
public enum DQN {
    /// Which regression loss the TD error goes through.
    public enum LossKind: String, NamedChoice {
        /// Quadratic near zero, linear beyond 1 (smooth L1): robust to large TD errors.
        case huber
        /// Squared error, as in the lecture notebook.
        case mse
    }

    /// Everything a run can set: one declaration each (flag, help, default, saved key).
    public struct Arguments: HyperparameterSet {
        @Hyperparameter("Environments stepped side by side.") public var numEnvs = 4
        @Hyperparameter("Environment steps at most, all environments together (training stops early once solved).") public var totalSteps = 100_000
        @Hyperparameter("Adam's learning rate.") public var learningRate = 1e-3
        @Hyperparameter("Transitions the replay buffer holds.") public var bufferSize = 50_000
        @Hyperparameter("Discount factor γ.") public var gamma = 0.99
        @Hyperparameter("Target update θ' ← τθ + (1−τ)θ'; 1 is a hard copy.") public var tau = 1.0
        @Hyperparameter("Environment steps between target updates.") public var targetUpdateInterval = 250
        @Hyperparameter("Transitions per gradient step.") public var batchSize = 64
        @Hyperparameter("Hidden layer widths (ReLU), comma-separated; a convolutional torso has its own.") public var hiddenSizes = [64, 64]
        @Hyperparameter("Torso: auto (a CNN for image observations), mlp, minatar or nature.") public var torso = Torso.auto
        /// The buffer fills under the schedule's early ε meanwhile.
        @Hyperparameter("Environment steps before learning starts.") public var learningStarts = 1000
        @Hyperparameter("Environment steps per gradient step.") public var trainFrequency = 2
        @Hyperparameter("ε schedule: linear:START:END:STEPS, inverse:SCALE or constant:E.") public var exploration = ExplorationSchedule.linear(start: 1, end: 0.05, steps: 10_000)
        @Hyperparameter("εz-greedy: an exploring choice holds its random action for n ~ zeta(μ) steps (at most 10,000); give μ, e.g. 2 (none: one step).") public var ezGreedy: Double? = nil
        /// MSE by default: CartPole's values grow to ~100, and Huber's gradient, capped at 1, fits
        /// them slowly (on CartPole-v1 it needed about twice the steps and solved fewer seeds).
        @Hyperparameter("TD loss: huber or mse.") public var loss = LossKind.mse
        @Hyperparameter("Double-DQN targets (the online network picks the next action).") public var doubleDQN = true
        @Hyperparameter("Clip rewards to [-c, c] before storing them (none: keep them).") public var rewardClip: Double? = nil
        @Hyperparameter("Clip gradients to this global L2 norm (0: no clipping).") public var maxGradNorm = 10.0
        @Hyperparameter("Training episodes whose mean return must reach the threshold before a greedy validation.") public var solveWindow = 10
        @Hyperparameter("Greedy episodes per validation (0: no early stopping).") public var validationEpisodes = 10

        /// The defaults.
        public init() {}

        /// Why the arguments cannot run, or nil.
        public var problem: String? {
            if numEnvs < 1 { return "--num-envs must be at least 1" }
            if totalSteps < 1 || batchSize < 1 || bufferSize < 1 || trainFrequency < 1 || targetUpdateInterval < 1 {
                return "step counts and sizes must be at least 1"
            }
            if bufferSize >= ReplayBuffer.maxCapacity { return "--buffer-size must be below \(ReplayBuffer.maxCapacity)" }
            if hiddenSizes.contains(where: { $0 < 1 }) { return "hidden sizes must be positive" }
            if !(learningRate > 0) || !(0...1).contains(gamma) || !(tau > 0 && tau <= 1) {
                return "need a positive learning rate, gamma in [0, 1] and tau in (0, 1]"
            }
            if let rewardClip, !(rewardClip > 0) { return "--reward-clip must be positive" }
            if let ezGreedy, !(ezGreedy > 0 && ezGreedy < 100) { return "--ez-greedy must be in (0, 100)" }
            if !(maxGradNorm >= 0) { return "--max-grad-norm must not be negative" }
            return nil
        }
    }

    /// Trains a Q network on `session`'s environment.
    public static func train(_ arguments: Arguments, session: TrainingSession) throws -> TrainedAgent {
        let args = try arguments.checked()
        let monitor = session.monitor

        // Seeding: initial weights, exploration and replay sampling each draw from their own stream;
        // environment i resets with seed + i.
        var initRandom = SeededRNG(seed: session.seeds.initialization)
        var explore = EpsilonGreedy(seed: session.seeds.exploration)
        var held = args.ezGreedy.map { HeldExploration(exponent: $0, environments: args.numEnvs) }
        var replayRandom = SeededRNG(seed: session.seeds.replay)
        let envs = try VectorRollout(connection: session.connection, env: session.env, kwargs: session.envArguments, count: args.numEnvs,
                                     seed: session.seeds.trainingEnvironments)
        defer { envs.close() }
        let layout = envs.layout

        // Networks, optimizer, replay.
        let learner = try DQNLearner(args, layout: layout, rng: &initRandom)
        let policy = QNetworkPolicy(network: learner.qNetwork)
        // uint8 and bool Box observations (MinAtar, Atari) are kept as bytes, frame stacks (Atari) frame by frame.
        let space = layout.observation.space
        var replay = try ReplayBuffer(capacity: args.bufferSize, observationSize: layout.observationSize,
                                      storage: ObservationStorage(space), frames: ReplayBuffer.stackedFrames(space))
        var batch = replay.makeBatch(size: args.batchSize)
        let validation = PolicyValidation<[String: Tensor]>(session: session, window: args.solveWindow, episodes: args.validationEpisodes,
                                                            subject: "network")

        /// One gradient step on a replayed minibatch (uniform replay: no importance weights).
        func learn() -> DQNLearner.Step {
            replay.sample(random: &replayRandom, into: &batch)
            return learner.learn(observations: batch.observations, actions: batch.actionIndices, rewards: batch.rewards,
                                 nextObservations: batch.nextObservations, terminated: batch.terminated)
        }

        var step = 0
        var updates = 0
        var updateCredit = 0.0
        var solved = false

        // Checkpoints: everything the loop carries from one step to the next (the weight
        // initialisation's stream is spent once the networks exist).
        let state = session.state
        state.track("q_network", parameters: learner.qNetwork.parameters)
        state.track("target_network", parameters: learner.targetNetwork.parameters)
        state.track("optimizer", optimizer: learner.optimizer)
        state.track("exploration", value: { explore.random }, restore: { explore.random = $0 })
        if let initial = held?.runs {
            state.track("exploration_runs", value: { held?.runs ?? initial }, restore: { (runs: HeldExploration.Runs) in
                guard runs.isValid(environments: args.numEnvs, actionCount: layout.actionCount) else {
                    throw RunStateError("has exploration runs that do not fit \(args.numEnvs) environments of \(layout.actionCount) actions")
                }
                held?.runs = runs
            })
        }
        state.track("replay_sampling", value: { replayRandom }, restore: { replayRandom = $0 })
        session.trackReplay({ replay }, { replay = $0 })
        state.track("counters", counters: { LoopCounters(step: step, updates: updates, updateCredit: updateCredit) },
                    restore: { (step, updates, updateCredit) = ($0.step, $0.updates, $0.updateCredit) })
        validation.track(in: state, network: learner.qNetwork)
        envs.track(in: state)
        state.markComplete()
        try session.begin()

        while step < args.totalSteps {
          do {
            // Act ε-greedily, and send the actions without waiting.
            let epsilon = args.exploration.epsilon(step: step, episode: monitor.episodes)
            let greedy = policy.greedyActions(envs.observations, count: envs.count)
            let actions = held?.choose(greedy: greedy, actionCount: layout.actionCount, epsilon: epsilon, explore: &explore)
                ?? explore.choose(greedy: greedy, actionCount: layout.actionCount, epsilon: epsilon)
            try envs.send(actions: actions)

            // Learn while the daemon steps the environments.
            if step >= args.learningStarts, replay.count > 0 {
                updateCredit += Double(envs.count) / Double(args.trainFrequency)
                while updateCredit >= 1 {
                    updateCredit -= 1
                    updates += 1
                    let learned = learn()
                    if updates % 100 == 0 {
                        monitor.scalar("losses/td_loss", Double(learned.loss.value.scalar), step: step)
                        monitor.scalar("losses/q_values", Double(learned.q.value.data.reduce(0, +)) / Double(args.batchSize), step: step)
                    }
                }
            }

            // Observe: store every transition (final observations included), update the target, log episodes.
            let t = try envs.receive()
            guard replay.accepts(t.observations), replay.accepts(t.nextObservations) else {
                throw AgentError(.unsupportedEnvironment, "the environment sent an observation value that is not a byte, though its space is uint8 or bool")
            }
            let previous = step
            step += envs.count
            for row in 0..<envs.count {
                let reward = args.rewardClip.map { min(max(t.rewards[row], -$0), $0) } ?? t.rewards[row]
                replay.add(t, row: row, reward: Float(reward))
            }
            if step / args.targetUpdateInterval > previous / args.targetUpdateInterval { learner.updateTarget() }
            for finished in t.finished {
                monitor.episode(finished, step: step)
                held?.endRun(environment: finished.environment)
            }
            if !t.finished.isEmpty {
                monitor.scalar("charts/epsilon", epsilon, step: step)
                if try validation.solved(step: step, policy: { policy }, snapshot: { _ in learner.qNetwork.stateDict() }) {
                    solved = true
                    break
                }
            }
            monitor.tick(step: step)
          } catch where session.connectionLost(error) {
            break
          }
            if try session.boundary(step: step) { break }
        }

        if session.stopReason != nil {
            // Stopped early: the last network, and the best validated one beside it.
            var trained = TrainedAgent(policy: policy, steps: step, episodes: monitor.episodes, hyperparameters: args.hyperparameters)
            trained.bestValidated = validation.bestPolicy(learner.qNetwork) { QNetworkPolicy(network: $0) }
            return trained
        }
        // Unsolved within the budget: keep the final network unless an earlier one validated better.
        if !solved, let best = try validation.better(than: policy, step: step) { try learner.qNetwork.load(stateDict: best) }
        return TrainedAgent(policy: policy, steps: step, episodes: monitor.episodes, hyperparameters: args.hyperparameters)
    }
}
