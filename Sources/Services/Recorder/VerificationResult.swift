import Foundation
import GymClient
import GymCore

/// The outcome of re-simulating one recorded episode.
public struct VerificationResult: Sendable {
    /// The episode.
    public var episodeID: Int64
    /// Steps compared (the reset counts as step 0).
    public var stepsCompared: Int
    /// The first difference, nil when the episode was reproduced bit for bit.
    public var difference: String?
    /// Whether it was reproduced bit for bit.
    public var passed: Bool { difference == nil }

    /// A result for `episodeID`.
    public init(episodeID: Int64, stepsCompared: Int, difference: String?) {
        self.episodeID = episodeID
        self.stepsCompared = stepsCompared
        self.difference = difference
    }
}
