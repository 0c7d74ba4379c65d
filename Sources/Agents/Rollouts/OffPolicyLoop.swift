import NeuralNet

/// The loop DDPG, TD3 and SAC share: act, step the daemon, store, learn.
///
/// Observations are normalised once, as they arrive, and stored that way; actions live in
/// `[−1, 1]` units (what the actors output and the critics read) and are stretched over the
/// Box bounds only when sent. Before `learningStarts` the actions are uniform; after it the
/// algorithm's `explore` chooses them, and `updatesPerStep` gradient steps per environment step
/// run on replayed minibatches while the daemon simulates the step just sent. Environments step
/// through a `VectorRollout` (same-step autoreset), so an episode's final observation is stored
/// as its last next observation and a time-limit cut still bootstraps (only `terminated` stops it).
/// With `validationEpisodes` set, training stops once a greedy validation of the actor reaches
/// the reward threshold, and an unsolved run keeps the actor that validated best.
public struct OffPolicyLoop {
    /// The run.
    public let session: TrainingSession
    /// The shared settings.
    public let arguments: OffPolicyArguments
    /// The environment's spaces.
    public let layout: ContinuousSpaceLayout
    /// How observations are normalised before anything sees them.
    public let observationScaling: BoxScaling

    /// Reads the environment's spaces from the daemon's spec.
    public init(session: TrainingSession, arguments: OffPolicyArguments) throws {
        _ = try arguments.checked()
        self.session = session
        self.arguments = arguments
        layout = try ContinuousSpaceLayout(session.spec)
        observationScaling = arguments.normalizeObservations ? layout.observationScaling : .identity(layout.observationSize)
    }

    /// A deterministic policy around `actor` (normalised observations in, `[−1, 1]` units out).
    public func policy(_ actor: MLP) -> ContinuousActorPolicy {
        ContinuousActorPolicy(network: actor, observationScaling: observationScaling, actionLow: layout.actionLow, actionHigh: layout.actionHigh)
    }

    /// Trains: `explore` maps normalised observations (`count` rows) to actions in units,
    /// `episodeEnded` hears which environment finished an episode, and `learn` takes one gradient
    /// step on a minibatch (its number counts from 1) and returns scalars to log, or nothing.
    /// With `tracked`, the algorithm has tracked everything it carries (networks, targets,
    /// optimizers, its streams and noise) in the session's state, so checkpoints are written
    /// and a resumed run continues from one; the loop tracks its own part.
    public func run(policy: ContinuousActorPolicy, hyperparameters: [String: MetadataValue], tracked: Bool = false,
                    explore: (_ observations: Tensor) -> [Float],
                    episodeEnded: (_ environment: Int) -> Void = { _ in },
                    learn: (_ batch: ReplayBatch, _ update: Int) -> [(tag: String, value: Double)]) throws -> TrainedAgent {
        let args = arguments, monitor = session.monitor
        let count = args.numEnvs, obsSize = layout.observationSize, actSize = layout.actionSize

        // Seeding: warm-up actions from the exploration stream, minibatches from the replay
        // stream; environment i resets with seed + i.
        var warmUp = SeededRNG(seed: session.seeds.exploration &+ 1)
        var replayRandom = SeededRNG(seed: session.seeds.replay)
        let envs = try VectorRollout(connection: session.connection, env: session.env, kwargs: session.envArguments, count: count,
                                     seed: session.seeds.trainingEnvironments, acceptingBox: true)
        defer { envs.close() }
        var observations = observationScaling.normalize(envs.observations)
        // Byte observations stay bytes only when stored as they came (normalised ones are floats).
        let storage = observationScaling.isIdentity ? ObservationStorage(layout.observation.space) : .float
        var replay = try ReplayBuffer(capacity: args.bufferSize, observationSize: obsSize, actionSize: actSize, storage: storage,
                                      frames: ReplayBuffer.stackedFrames(layout.observation.space))
        var batch = replay.makeBatch(size: args.batchSize)

        let validation = PolicyValidation<[String: Tensor]>(session: session, window: args.solveWindow,
                                                            episodes: args.validationEpisodes, subject: "actor")
        var step = 0, updates = 0, updateCredit = 0.0, solved = false
        let state = session.state
        state.track("warm_up", value: { warmUp }, restore: { warmUp = $0 })
        state.track("replay_sampling", value: { replayRandom }, restore: { replayRandom = $0 })
        session.trackReplay({ replay }, { replay = $0 })
        state.track("loop", counters: { LoopCounters(step: step, updates: updates, updateCredit: updateCredit) },
                    restore: { (step, updates, updateCredit) = ($0.step, $0.updates, $0.updateCredit) })
        validation.track(in: state, network: policy.network)
        envs.track(in: state)
        if tracked { state.markComplete() }
        try session.begin()
        observations = observationScaling.normalize(envs.observations)

        while step < args.totalSteps {
          do {
            // Act: uniform before learning starts, then the algorithm's exploration; send without waiting.
            var units: [Float]
            if step < args.learningStarts {
                units = (0..<(count * actSize)).map { _ in warmUp.nextUniform(low: -1, high: 1) }
            } else {
                units = explore(Tensor(shape: [count, obsSize], data: observations))
            }
            units = units.map { min(max($0, -1), 1) }
            try envs.send(box: policy.bounded(units))

            // Learn while the daemon steps the environments (a run resumed without its replay
            // buffer refills it first).
            if step >= args.learningStarts, replay.count > 0 {
                updateCredit += Double(count) * args.updatesPerStep
                while updateCredit >= 1 {
                    updateCredit -= 1
                    updates += 1
                    replay.sample(random: &replayRandom, into: &batch)
                    for (tag, value) in learn(batch, updates) { monitor.scalar(tag, value, step: step) }
                }
            }

            // Observe: store every transition (final observations included, in units), log finished episodes.
            let t = try envs.receive()
            let next = observationScaling.normalize(t.nextObservations)
            guard replay.accepts(observations), replay.accepts(next) else {
                throw AgentError(.unsupportedEnvironment, "the environment sent an observation value that is not a byte, though its space is uint8 or bool")
            }
            step += count
            for index in 0..<count {
                replay.add(observation: observations[(index * obsSize)..<((index + 1) * obsSize)],
                           action: units[(index * actSize)..<((index + 1) * actSize)], reward: Float(t.rewards[index]),
                           nextObservation: next[(index * obsSize)..<((index + 1) * obsSize)], terminated: t.terminated[index],
                           stream: index)
            }
            for finished in t.finished {
                monitor.episode(finished, step: step)
                episodeEnded(finished.environment)
            }
            observations = observationScaling.normalize(envs.observations)
            monitor.tick(step: step)
            if !t.finished.isEmpty, try validation.solved(step: step, policy: { policy }, snapshot: { _ in policy.network.stateDict() }) {
                solved = true
                break
            }
          } catch where session.connectionLost(error) {
            break
          }
            if try session.boundary(step: step) { break }
        }
        if session.stopReason != nil {
            var trained = TrainedAgent(policy: policy, steps: step, episodes: monitor.episodes,
                                       hyperparameters: args.hyperparameters.merging(hyperparameters) { $1 })
            trained.bestValidated = validation.bestPolicy(policy.network) { self.policy($0) }
            return trained
        }
        if !solved, let best = try validation.better(than: policy, step: step) { try policy.network.load(stateDict: best) }
        return TrainedAgent(policy: policy, steps: step, episodes: monitor.episodes,
                            hyperparameters: args.hyperparameters.merging(hyperparameters) { $1 })
    }

    /// One-step TD targets `r + γ (1 − terminated) q'` for a minibatch, as a `[rows, 1]` tensor.
    public static func targets(_ batch: ReplayBatch, nextValues: [Float], gamma: Double) -> Tensor {
        let g = Float(gamma)
        return Tensor(shape: [batch.size, 1], data: (0..<batch.size).map { batch.rewards[$0] + g * (1 - batch.terminated[$0]) * nextValues[$0] })
    }
}
