/// What a worker or actor saw since its last call to the learner: the environment steps it
/// took and the episodes that finished in them.
public struct EpisodeStats: Sendable, Equatable {
    /// Environment steps, all of the worker's environments together.
    public var envSteps: Int
    /// Each finished episode's return, in finishing order.
    public var episodeReturns: [Double]
    /// Each finished episode's length, in the same order.
    public var episodeLengths: [Int]

    /// Stats of `envSteps` steps in which the given episodes finished.
    public init(envSteps: Int = 0, episodeReturns: [Double] = [], episodeLengths: [Int] = []) {
        self.envSteps = envSteps
        self.episodeReturns = episodeReturns
        self.episodeLengths = episodeLengths
    }

    /// Records a finished episode.
    public mutating func append(episodeReturn: Double, length: Int) {
        episodeReturns.append(episodeReturn)
        episodeLengths.append(length)
    }

    /// The finished episodes as (return, length) pairs; a length the other list lacks ends the pairs.
    public var episodes: Zip2Sequence<[Double], [Int]> { zip(episodeReturns, episodeLengths) }
}
