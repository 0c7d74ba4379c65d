import GymClient
import GymCore

/// An episode a training batch completed.
public struct FinishedEpisode: Sendable, Equatable {
    /// The environment it ran in.
    public var environment: Int
    /// Its undiscounted return (the environment's own rewards, before any shaping).
    public var episodeReturn: Double
    /// Its number of steps.
    public var length: Int

    /// Creates a record.
    public init(environment: Int, episodeReturn: Double, length: Int) {
        self.environment = environment
        self.episodeReturn = episodeReturn
        self.length = length
    }
}
