import Foundation
import GymClient
import GymCore

/// The summary `gym train --json` prints.
public struct TrainingReport: Sendable {
    /// The algorithm's command name.
    public var algo: String
    /// The environment id.
    public var env: String
    /// The run seed.
    public var seed: UInt64
    /// Environment steps taken in training.
    public var steps: Int
    /// Training episodes completed.
    public var episodes: Int
    /// Seconds from the session's start to the end of evaluation and saving.
    public var wallSeconds: Double
    /// The greedy evaluation after training.
    public var evaluation: EvaluationResult
    /// The environment's reward threshold, if it has one.
    public var rewardThreshold: Double?
    /// The algorithm's extra figures (`TrainedAgent.metrics`).
    public var metrics: [String: Double] = [:]
    /// Whether the evaluation's mean reached the threshold (nil without a threshold).
    public var solved: Bool? { rewardThreshold.map { evaluation.mean >= $0 } }
}
