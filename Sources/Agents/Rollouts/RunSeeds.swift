/// Every random stream of a run, derived from its one `--seed`.
///
/// Streams are separate so that changing, say, the replay sampling does not shift the weight
/// initialisation; each is SplitMix64's finaliser over the run seed and a stream number.
/// Training environments follow Gymnasium's convention (env `i` resets with `seed + i`);
/// evaluation and validation episodes get seeds of their own, far from those, one per episode,
/// so an evaluation does not depend on how many environments it is batched over.
public struct RunSeeds: Sendable, Equatable {
    /// The seed the user gave.
    public let run: UInt64

    /// Derives the streams of `run`.
    public init(_ run: UInt64) { self.run = run }

    /// Seed of environment 0 of the training batch (env `i` gets `trainingEnvironments + i`).
    public var trainingEnvironments: UInt64 { run }
    /// Weight initialisation (networks, Q tables).
    public var initialization: UInt64 { stream(1) }
    /// ε-greedy coin flips and random actions.
    public var exploration: UInt64 { stream(2) }
    /// Replay sampling.
    public var replay: UInt64 { stream(3) }
    /// PPO's shuffling of a rollout into minibatches.
    public var minibatchOrder: UInt64 { stream(4) }
    /// SAC's reparameterised action samples in the learning step.
    public var policySamples: UInt64 { stream(4) }
    /// TD3's target-policy smoothing noise.
    public var targetSmoothing: UInt64 { stream(4) }
    /// Gaussian policies' exploration noise (on-policy, Box actions), and SAC's and TD3's when correlated in time.
    public var actionNoise: UInt64 { stream(5) }

    /// Reset seed of greedy evaluation episode `index` (the reported `eval_mean`).
    public func evaluationEpisode(_ index: Int) -> UInt64 { stream(0x1_0000_0000 &+ UInt64(index)) }

    /// Reset seed of validation episode `index` (early stopping; never shares a seed with evaluation).
    public func validationEpisode(_ index: Int) -> UInt64 { stream(0x2_0000_0000 &+ UInt64(index)) }

    /// The first `count` evaluation seeds.
    public func evaluationEpisodes(_ count: Int) -> [UInt64] { (0..<count).map(evaluationEpisode) }

    /// The first `count` validation seeds.
    public func validationEpisodes(_ count: Int) -> [UInt64] { (0..<count).map(validationEpisode) }

    /// Seed of stream `number`. Streams 4 and 5 serve one algorithm each, so they share numbers
    /// across algorithms; the names above keep each run's draws as they were.
    func stream(_ number: UInt64) -> UInt64 {
        Self.mix(run &+ Self.mix(number &* 0x9E37_79B9_7F4A_7C15))
    }

    /// SplitMix64's output function: a bijection that spreads nearby inputs far apart.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
