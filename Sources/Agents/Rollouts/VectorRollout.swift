import GymClient
import GymCore
import NeuralNet

/// Training experience from a batch of environments on a daemon: actions in (indices for a
/// `Discrete` space, float vectors for a `Box`), transitions out.
///
/// Uses same-step autoreset, so every step is a real transition: an environment that ends is
/// reset in the same step and its final observation goes into `nextObservations`, never lost
/// and never mistaken for the reset one. `send` and `receive` split a step so that the caller
/// can learn while the daemon simulates.
public final class VectorRollout {
    /// How actions are laid out.
    public enum ActionLayout: Sendable, Equatable {
        /// Indices of a `Discrete` space.
        case discrete(SpaceLayout)
        /// Float vectors of a `Box` space.
        case box(ContinuousSpaceLayout)
    }

    /// The batch on the daemon.
    public let batch: RemoteVectorEnv
    /// Its action layout.
    public let actionLayout: ActionLayout
    /// How observations are read.
    public let encoding: ObservationEncoding
    /// Floats in one encoded observation.
    public let observationSize: Int
    /// Observations the next actions are chosen from, `count × observationSize`.
    public private(set) var observations: [Float]
    private var episodeReturns: [Double]
    private var episodeLengths: [Int]
    private var pending: (id: UInt64, actions: [Int], continuous: [Float])?
    /// The seed of the one seeded reset.
    private let seed: UInt64
    /// Every step's actions since that reset, back to back (indices as floats for `Discrete`).
    private var actionLog: [Float] = []
    private var loggedSteps = 0
    /// Whether a run's checkpoints hold these environments (`track(in:)`): only then is the log
    /// kept, so evaluation rollouts and long-lived workers and actors do not grow it.
    private var logsActions = false
    /// The logged step counts at which `reset()` started new episodes, in order (logged with the
    /// actions: an unseeded reset continues each environment's stream, so replaying it in place
    /// restores the same episodes).
    private var resetLog: [Int] = []
    /// False once `reset()` broke the chain from the seeded reset before the log was kept.
    private var replayable = true

    /// Makes `count` environments of `env` and resets env `i` with `seed + i`. The environment
    /// must have `Discrete` actions, or with `acceptingBox` a float32 `Box` of them; `kwargs`
    /// are its arguments (`--env-arg`). Observations of any space the `ObservationEncoding`
    /// reads arrive encoded in `form` (features, or one table row per environment).
    public init(connection: GymConnection, env: String, kwargs: ValueMap = [:], count: Int, seed: UInt64, acceptingBox: Bool = false,
                form: ObservationEncoding.Form = .features) throws {
        batch = try RemoteVectorEnv(connection: connection, id: env, count: count, kwargs: kwargs, autoreset: .sameStep)
        self.seed = seed
        do {
            if acceptingBox, case .box = batch.spec.actionSpace {
                let layout = try ContinuousSpaceLayout(batch.spec)
                actionLayout = .box(layout)
                encoding = layout.observation
            } else {
                let layout = try SpaceLayout(batch.spec, form: form)
                actionLayout = .discrete(layout)
                encoding = layout.observation
            }
            observationSize = encoding.width
            observations = try encoding.encode(batch.reset(seeds: [seed]).observations, rows: count)
        } catch {
            try? batch.close()
            throw error
        }
        episodeReturns = Array(repeating: 0, count: count)
        episodeLengths = Array(repeating: 0, count: count)
    }

    /// Number of environments.
    public var count: Int { batch.count }

    /// The spaces of a rollout with `Discrete` actions.
    public var layout: SpaceLayout {
        guard case .discrete(let layout) = actionLayout else { preconditionFailure("this rollout has Box actions") }
        return layout
    }

    /// Sends one action per environment without waiting for the result.
    public func send(actions: [Int]) throws {
        precondition(pending == nil, "receive the previous step before sending another")
        pending = (try batch.sendStep([layout.wire(actions)]), actions, [])
        if logsActions {
            actionLog.append(contentsOf: actions.map(Float.init))
            loggedSteps += 1
        }
    }

    /// Sends one float32 `Box` action per environment (`count × action size` floats, inside the
    /// bounds) without waiting for the result.
    public func send(box actions: [Float]) throws {
        precondition(pending == nil, "receive the previous step before sending another")
        let shape = [count] + batch.spec.actionSpace.shape
        let array = NDArray(dtype: .float32, shape: shape, bytes: actions.withUnsafeBytes { Array($0) })
        pending = (try batch.sendStep([array]), [], actions)
        if logsActions {
            actionLog.append(contentsOf: actions)
            loggedSteps += 1
        }
    }

    /// Waits for the step `send` started.
    public func receive() throws -> Transitions {
        guard let (id, actions, continuous) = pending else { preconditionFailure("receive without send") }
        pending = nil
        let step = try batch.receiveStep(id)
        let size = observationSize
        let reset = try encoding.encode(step.observations, rows: count)
        var next = reset
        if !step.finalIndices.isEmpty {
            let finals = try encoding.encode(step.finalObservations, rows: step.finalIndices.count)
            for (row, index) in step.finalIndices.enumerated() {
                next.replaceSubrange((index * size)..<((index + 1) * size), with: finals[(row * size)..<((row + 1) * size)])
            }
        }
        var finished: [FinishedEpisode] = []
        for index in 0..<count {
            episodeReturns[index] += step.rewards[index]
            episodeLengths[index] += 1
            if step.terminated[index] || step.truncated[index] {
                finished.append(FinishedEpisode(environment: index, episodeReturn: episodeReturns[index], length: episodeLengths[index]))
                episodeReturns[index] = 0
                episodeLengths[index] = 0
            }
        }
        let transitions = Transitions(observations: observations, actions: actions, rewards: step.rewards, nextObservations: next,
                                      terminated: step.terminated, truncated: step.truncated, finished: finished,
                                      continuousActions: continuous)
        observations = reset
        return transitions
    }

    /// Sends actions and waits for the step.
    public func step(actions: [Int]) throws -> Transitions {
        try send(actions: actions)
        return try receive()
    }

    /// Sends `Box` actions and waits for the step.
    public func step(box actions: [Float]) throws -> Transitions {
        try send(box: actions)
        return try receive()
    }

    /// Starts a new episode in every environment (continuing each one's random stream), and
    /// forgets the returns of the episodes cut short.
    public func reset() throws {
        precondition(pending == nil, "receive the pending step before resetting")
        observations = try encoding.encode(batch.reset().observations, rows: count)
        if logsActions { resetLog.append(loggedSteps) } else { replayable = false }
        episodeReturns = Array(repeating: 0, count: count)
        episodeLengths = Array(repeating: 0, count: count)
    }

    /// Floats one step logs: one per environment, times the action size for `Box` actions.
    private var logWidth: Int {
        switch actionLayout {
        case .discrete: count
        case .box(let layout): count * layout.actionSize
        }
    }

    /// Tracks the environments in a run's state as `name`.
    ///
    /// The daemon's environment state cannot be saved, but it need not be: environments are
    /// deterministic given their reset seed and the actions since, and with same-step autoreset
    /// every later episode follows from those too (its reset draws on the environment's own
    /// stream, which only the seed and the actions moved). So a checkpoint keeps the seed of the
    /// one seeded reset and every batch step's actions since (4 bytes per environment and action
    /// float), and a resumed run makes the batch afresh, resets it with that seed and replays the
    /// actions, which restores each environment's state, the observations the agent acts on
    /// next and the returns of the episodes under way, bit for bit. The cost is one round trip
    /// per replayed batch step when resuming. Resets (`reset()`) after tracking began are logged
    /// with the steps and replayed in place; a rollout reset before it cannot be replayed.
    public func track(in state: RunState, name: String = "environments") {
        logsActions = true
        /// `resets`: the step counts `reset()` came at (absent in checkpoints of runs that never reset).
        struct Saved: Codable { var seed: String; var steps: Int; var width: Int; var resets: [Int]? }
        state.track(name, save: { [unowned self] in
            guard replayable else { throw RunStateError("cannot hold \(name): the rollout was reset without seeds") }
            return (Saved(seed: String(seed), steps: loggedSteps, width: logWidth, resets: resetLog.isEmpty ? nil : resetLog),
                    ["actions": Tensor(shape: [loggedSteps, logWidth], data: actionLog)])
        }, restore: { [unowned self] (saved: Saved, tensors: [String: Tensor]) in
            guard UInt64(saved.seed) == seed, saved.width == logWidth, saved.steps >= 0, let log = tensors["actions"],
                  log.shape == [saved.steps, logWidth] else {
                throw RunStateError("has environment actions that do not fit \(count) environments reset with seed \(seed)")
            }
            guard loggedSteps == 0, pending == nil else { throw RunStateError("cannot be replayed into a rollout that has stepped") }
            let resets = saved.resets ?? []
            guard resets.count <= saved.steps + 1, zip(resets, resets.dropFirst()).allSatisfy({ $0 <= $1 }),
                  resets.allSatisfy({ (0...saved.steps).contains($0) }) else {
                throw RunStateError("has environment resets out of order or outside its \(saved.steps) steps")
            }
            var pendingResets = resets[...]
            /// Replays the resets logged before step `step`.
            func resetUpTo(_ step: Int) throws {
                while let first = pendingResets.first, first <= step {
                    pendingResets.removeFirst()
                    try self.reset()
                }
            }
            switch actionLayout {
            case .discrete(let layout):
                guard log.data.allSatisfy({ $0 >= 0 && $0 < Float(layout.actionCount) && $0.rounded() == $0 }) else {
                    throw RunStateError("has environment actions outside the \(layout.actionCount) actions")
                }
                for step in 0..<saved.steps {
                    try resetUpTo(step)
                    _ = try self.step(actions: log.data[(step * logWidth)..<((step + 1) * logWidth)].map { Int($0) })
                }
            case .box:
                guard log.data.allSatisfy(\.isFinite) else { throw RunStateError("has environment actions that are not finite") }
                for step in 0..<saved.steps {
                    try resetUpTo(step)
                    _ = try self.step(box: Array(log.data[(step * logWidth)..<((step + 1) * logWidth)]))
                }
            }
            try resetUpTo(saved.steps)
        })
    }

    /// Closes the batch on the daemon.
    public func close() { try? batch.close() }
}
