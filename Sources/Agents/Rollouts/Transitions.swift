import GymClient
import GymCore

/// One step of a batch of environments, seen as transitions `(s, a, r, s', terminated, truncated)`.
public struct Transitions: Sendable {
    /// Observations the actions were chosen from, `count × observationSize`.
    public var observations: [Float]
    /// Action index of each environment (empty for `Box` actions).
    public var actions: [Int]
    /// `Box` actions, `count × action size` floats as sent (empty for discrete actions).
    public var continuousActions: [Float]
    /// Rewards.
    public var rewards: [Double]
    /// Observations the actions led to; for an episode that ended, its final observation.
    public var nextObservations: [Float]
    /// Whether the environment reached a terminal state (no bootstrapping past it).
    public var terminated: [Bool]
    /// Whether the time limit cut the episode (its value still bootstraps).
    public var truncated: [Bool]
    /// Episodes that ended in this step.
    public var finished: [FinishedEpisode]

    /// Creates transitions (the rollout makes them; tests and replay tools may too).
    public init(observations: [Float], actions: [Int], rewards: [Double], nextObservations: [Float],
                terminated: [Bool], truncated: [Bool], finished: [FinishedEpisode], continuousActions: [Float] = []) {
        self.observations = observations
        self.actions = actions
        self.continuousActions = continuousActions
        self.rewards = rewards
        self.nextObservations = nextObservations
        self.terminated = terminated
        self.truncated = truncated
        self.finished = finished
    }
}
