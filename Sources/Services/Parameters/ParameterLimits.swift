import GymCore
import GymProtocol

/// What one worker's call may claim or hold on a parameter service. Reports and pushes feed
/// the learner's step and episode counters, which it adds up in plain `Int`s: an `env_steps`
/// of 2^64-1 trapped A3C and Ape-X learners, so every count is bounded here, before the learner
/// sees it, and every overflow is a typed error (INVALID_ARGUMENT or QUOTA_EXCEEDED).
public struct ParameterLimits: Sendable, Equatable {
    /// Most environment steps one report or push may claim.
    public var maxEnvStepsPerReport: UInt64
    /// Most finished episodes one report or push may carry.
    public var maxEpisodesPerReport: Int
    /// Most fetches parked waiting for newer weights, over all workers.
    public var maxParkedFetches: Int
    /// Largest weights (Publish) or gradients (PushGradients), in bytes.
    public var maxWeightsBytes: Int
    /// Longest a fetch waits for newer weights, whatever its `timeout_ms` asks: a parked call
    /// holds its peer's address and a slot of `maxParkedFetches`, so a fetch asking for 49 days
    /// is answered (with no newer weights) after this, like any fetch whose time is up.
    public var maxFetchWaitMilliseconds: UInt32

    /// The defaults protocol/README.md documents.
    public init(maxEnvStepsPerReport: UInt64 = 1_000_000, maxEpisodesPerReport: Int = 10_000,
                maxParkedFetches: Int = 1024, maxWeightsBytes: Int = 256 << 20,
                maxFetchWaitMilliseconds: UInt32 = 10_000) {
        self.maxEnvStepsPerReport = maxEnvStepsPerReport
        self.maxEpisodesPerReport = maxEpisodesPerReport
        self.maxParkedFetches = maxParkedFetches
        self.maxWeightsBytes = maxWeightsBytes
        self.maxFetchWaitMilliseconds = maxFetchWaitMilliseconds
    }

    /// Checks a worker's progress: bounded steps, equally many returns and lengths, finite returns.
    public func check(_ stats: Gym_V1_EpisodeStats) throws {
        guard stats.envSteps <= maxEnvStepsPerReport else {
            throw GymError(.invalidArgument, "a report claims \(stats.envSteps) env steps; at most \(maxEnvStepsPerReport) per report")
        }
        guard stats.episodeReturns.count == stats.episodeLengths.count else {
            throw GymError(.invalidArgument, "a report has \(stats.episodeReturns.count) episode returns but \(stats.episodeLengths.count) lengths")
        }
        guard stats.episodeReturns.count <= maxEpisodesPerReport else {
            throw GymError(.invalidArgument, "a report carries \(stats.episodeReturns.count) episodes; at most \(maxEpisodesPerReport)")
        }
        guard stats.episodeReturns.allSatisfy(\.isFinite) else {
            throw GymError(.invalidArgument, "a report's episode returns must be finite")
        }
    }

    /// Checks the size of weights or gradients.
    public func check(weights bytes: Int, what: String) throws {
        guard bytes <= maxWeightsBytes else {
            throw GymError(.invalidArgument, "\(what) of \(bytes) bytes exceed the parameter service's limit of \(maxWeightsBytes)")
        }
    }
}
