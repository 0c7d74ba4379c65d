import NeuralNet

/// Ornstein–Uhlenbeck exploration noise (DDPG, Lillicrap et al. 2016): temporally correlated,
/// pulled back towards `mu`, so successive actions lean the same way, as momentum-like physical
/// tasks need. Each value follows the Euler–Maruyama step
/// `x ← x + θ (μ − x) dt + σ √dt ξ` with `ξ ~ N(0, 1)`, whose stationary standard deviation is
/// `σ √(dt / (1 − (1 − θ dt)²))` (≈ `σ / √(2θ)` for small `dt`) and lag-one correlation `1 − θ dt`.
public struct OrnsteinUhlenbeckNoise: Sendable {
    /// Mean reversion rate θ.
    public let theta: Double
    /// Scale σ of the driving noise.
    public let sigma: Double
    /// Time step dt (the paper's process has 1; the lecture notebook's 0.01).
    public let dt: Double
    /// The value the process reverts to.
    public let mu: Double
    /// Values per environment (the action's floats).
    public let width: Int
    /// Current values, `environments × width` (internal set, as `random`: checkpoints save and restore both).
    public internal(set) var state: [Float]
    var random: SeededRNG

    /// A process for `environments × width` values starting at `mu`, drawn from `seed`.
    public init(environments: Int, width: Int, theta: Double, sigma: Double, dt: Double = 1, mu: Double = 0, seed: UInt64) {
        precondition(environments > 0 && width > 0, "need at least one value")
        precondition(theta >= 0 && sigma >= 0 && dt > 0, "θ and σ must not be negative and dt must be positive")
        self.theta = theta
        self.sigma = sigma
        self.dt = dt
        self.mu = mu
        self.width = width
        state = Array(repeating: Float(mu), count: environments * width)
        random = SeededRNG(seed: seed)
    }

    /// The stationary standard deviation of each value.
    public var stationaryStd: Double {
        let decay = 1 - theta * dt
        return sigma * (dt / (1 - decay * decay)).squareRoot()
    }

    /// Advances every value one step and returns them all.
    public mutating func next() -> [Float] {
        let pull = Float(theta * dt), scale = Float(sigma * dt.squareRoot()), target = Float(mu)
        for index in state.indices {
            state[index] += pull * (target - state[index]) + scale * random.nextNormal()
        }
        return state
    }

    /// Restarts environment `environment`'s values at `mu` (at the start of its next episode).
    public mutating func reset(environment: Int) {
        for index in (environment * width)..<((environment + 1) * width) { state[index] = Float(mu) }
    }
}
