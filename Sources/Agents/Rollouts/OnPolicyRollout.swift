import GymCore
import NeuralNet

/// A fixed number of steps of a batch of environments under the current stochastic policy,
/// stored time-major (row `t · envs + i` is environment `i` at step `t`): what A2C, PPO and
/// other on-policy methods learn from before they discard it.
///
/// An episode the time limit cut is not an end of value: its last reward gets
/// `γ V(final observation)` added and the sum stops there, as if the return went on (the
/// same-step autoreset of `VectorRollout` keeps that final observation). Gaussian actions are
/// stored as drawn, in units where [−1, 1] spans the bounds, and stretched over the Box and
/// clipped to it only when sent.
public final class OnPolicyRollout {
    /// The environments.
    public let envs: VectorRollout
    /// Steps per environment in one rollout.
    public let length: Int
    /// Floats per stored action (1 for an index).
    public let actionWidth: Int
    /// Raw observations, `length · envs × observationSize`.
    public private(set) var observations: [Float]
    /// Actions as drawn, `length · envs × actionWidth`.
    public private(set) var actions: [Float]
    /// `log π(a | s)` when acting.
    public private(set) var logProbabilities: [Float]
    /// `V(s)` when acting.
    public private(set) var values: [Double]
    /// Rewards (with the bootstrap of time-limit cuts added).
    public private(set) var rewards: [Double]
    /// Whether an episode ended at this step (terminated or cut).
    public private(set) var episodeEnds: [Bool]
    /// `V` of each environment's observation after the last step.
    public private(set) var bootstrap: [Double]
    /// Divides the rewards the learner sees by the running deviation of the return (nil: raw).
    var rewardNormalization: ReturnNormalization?
    private var noise: CorrelatedNoise?
    private let box: ContinuousSpaceLayout?

    /// A rollout of `length` steps of `envs`; `noise` drives a Gaussian policy's exploration.
    public init(envs: VectorRollout, length: Int, head: ActorCriticNetwork.Head, noise: CorrelatedNoise?) {
        self.envs = envs
        self.length = length
        self.noise = noise
        let rows = length * envs.count
        actionWidth = if case .gaussian(let d, _) = head { d } else { 1 }
        observations = Array(repeating: 0, count: rows * envs.observationSize)
        actions = Array(repeating: 0, count: rows * actionWidth)
        logProbabilities = Array(repeating: 0, count: rows)
        values = Array(repeating: 0, count: rows)
        rewards = Array(repeating: 0, count: rows)
        episodeEnds = Array(repeating: false, count: rows)
        bootstrap = Array(repeating: 0, count: envs.count)
        if case .box(let layout) = envs.actionLayout { box = layout } else { box = nil }
    }

    /// Number of stored steps (all environments).
    public var count: Int { length * envs.count }

    /// Plays `length` steps with `network`'s policy, sampling from `random` (categorical) or
    /// the noise (Gaussian); calls `finished` for every episode that ends, with the number of
    /// steps per environment played so far in this rollout. The stored rewards are multiplied by
    /// `rewardScale` (the value network learns returns in those units; episodes are reported
    /// with their true rewards).
    public func collect(_ network: ActorCriticNetwork, gamma: Double, rewardScale: Double = 1, random: inout SeededRNG,
                        finished: (FinishedEpisode, Int) -> Void) throws {
        let n = envs.count, size = envs.observationSize
        for t in 0..<length {
            let rows = (t * n)..<((t + 1) * n)
            let current = envs.observations
            observations.replaceSubrange((t * n * size)..<((t + 1) * n * size), with: current)
            let (output, value) = network.predict(network.input(current, count: n))
            let transitions: Transitions
            switch network.head {
            case .categorical:
                let (chosen, logp) = CategoricalDistribution.sample(logits: output, random: &random)
                actions.replaceSubrange(rows, with: chosen.map(Float.init))
                logProbabilities.replaceSubrange(rows, with: logp)
                transitions = try envs.step(actions: chosen)
            case .gaussian:
                guard let logStd = network.logStd, var noise else { preconditionFailure("a Gaussian policy needs log σ and noise") }
                let (drawn, logp) = DiagonalGaussian.sample(mean: output, logStd: logStd.value.data, noise: noise.next())
                self.noise = noise
                actions.replaceSubrange((t * n * actionWidth)..<((t + 1) * n * actionWidth), with: drawn)
                logProbabilities.replaceSubrange(rows, with: logp)
                transitions = try envs.step(box: bounded(drawn))
            }
            values.replaceSubrange(rows, with: value.map(Double.init))
            let ended = (0..<n).map { transitions.terminated[$0] || transitions.truncated[$0] }
            var reward = transitions.rewards
            if var normalization = rewardNormalization {
                reward = normalization.normalize(reward, ended: ended)
                rewardNormalization = normalization
            }
            if rewardScale != 1 { reward = reward.map { $0 * rewardScale } }
            let cut = (0..<n).filter { transitions.truncated[$0] && !transitions.terminated[$0] }
            if !cut.isEmpty {
                let finals = cut.flatMap { transitions.nextObservations[($0 * size)..<(($0 + 1) * size)] }
                let finalValues = network.predict(network.input(finals, count: cut.count)).value
                for (row, env) in cut.enumerated() { reward[env] += gamma * Double(finalValues[row]) }
            }
            rewards.replaceSubrange(rows, with: reward)
            episodeEnds.replaceSubrange(rows, with: ended)
            for episode in transitions.finished { finished(episode, t + 1) }
        }
        bootstrap = network.predict(network.input(envs.observations, count: n)).value.map(Double.init)
    }

    private func bounded(_ units: [Float]) -> [Float] {
        guard let box else { preconditionFailure("Gaussian actions need a Box action space") }
        let d = box.actionSize
        return box.actionScaling.denormalize(units).enumerated().map { index, value in
            min(max(value, box.actionLow[index % d]), box.actionHigh[index % d])
        }
    }

    /// Tracks the exploration noise of a Gaussian policy and the reward normalisation (the
    /// rollout's buffers are rewritten by every `collect`, so only these carry over from one
    /// rollout to the next).
    func track(in state: RunState) {
        if let initial = rewardNormalization {
            state.track("reward_normalization", value: { [unowned self] in self.rewardNormalization ?? initial }, restore: { [unowned self] saved in
                if let problem = saved.problem(environments: self.envs.count) { throw RunStateError("has \(problem)") }
                self.rewardNormalization = saved
            })
        }
        guard let initial = noise else { return }
        state.track("action_noise", noise: { [unowned self] in self.noise ?? initial }, restore: { [unowned self] in self.noise = $0 })
    }
}
