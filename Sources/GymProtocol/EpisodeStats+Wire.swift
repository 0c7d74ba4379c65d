import GymCore

extension Gym_V1_EpisodeStats {
    /// The wire form of `stats`.
    public init(_ stats: EpisodeStats) {
        self.init()
        envSteps = UInt64(max(0, stats.envSteps))
        episodeReturns = stats.episodeReturns
        episodeLengths = stats.episodeLengths.map { UInt32(clamping: $0) }
    }
}

extension EpisodeStats {
    /// Stats a peer sent; counts beyond `Int` are clamped rather than trusted.
    public init(_ wire: Gym_V1_EpisodeStats) {
        self.init(envSteps: Int(clamping: wire.envSteps), episodeReturns: wire.episodeReturns,
                  episodeLengths: wire.episodeLengths.map { Int($0) })
    }
}
