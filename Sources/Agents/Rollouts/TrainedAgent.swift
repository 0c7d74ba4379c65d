import Foundation
import GymClient
import GymCore

/// What an algorithm hands back when it stops training.
public struct TrainedAgent {
    /// The policy to evaluate and save.
    public var policy: any Policy
    /// Environment steps taken in training.
    public var steps: Int
    /// Training episodes completed.
    public var episodes: Int
    /// The run's settings, for the saved metadata.
    public var hyperparameters: [String: MetadataValue]
    /// Extra figures for the JSON summary (e.g. `env_steps_per_s` of a distributed run).
    public var metrics: [String: Double] = [:]
    /// When the run stopped early: the best validated policy, if it validated better than the
    /// last (saved beside it; an uninterrupted run keeps the better one as `policy` instead).
    public var bestValidated: (any Policy)?

    /// Creates a result.
    public init(policy: any Policy, steps: Int, episodes: Int, hyperparameters: [String: MetadataValue]) {
        self.policy = policy
        self.steps = steps
        self.episodes = episodes
        self.hyperparameters = hyperparameters
    }
}
