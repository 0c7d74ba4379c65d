/// Rewards divided by the running standard deviation of the discounted return and clipped, as
/// Stable-Baselines3's `VecNormalize(norm_reward=True)`: per environment `R ← γ R + r` (0 again
/// after the episode ends), the statistics merge the batch of `R`s, and the learner sees
/// `clip(r / √(σ² + ε), ±clip)`. Reported returns stay raw.
struct ReturnNormalization: Codable, Sendable, Equatable {
    var gamma: Double
    var clip: Double
    /// Added to the variance.
    static let epsilon = 1e-8
    /// The discounted return of each environment's episode so far.
    var returns: [Double]
    var moments = RunningMoments(width: 1)

    init(environments: Int, gamma: Double, clip: Double) {
        self.gamma = gamma
        self.clip = clip
        returns = Array(repeating: 0, count: environments)
    }

    /// One step's rewards of every environment, normalised; `ended` marks the environments whose
    /// episode ended with this step.
    mutating func normalize(_ rewards: [Double], ended: [Bool]) -> [Double] {
        for env in returns.indices { returns[env] = returns[env] * gamma + rewards[env] }
        merge(returns)
        let scale = (moments.variance[0] + Self.epsilon).squareRoot()
        for env in returns.indices where ended[env] { returns[env] = 0 }
        return rewards.map { min(max($0 / scale, -clip), clip) }
    }

    private mutating func merge(_ values: [Double]) {
        let count = Double(values.count)
        let mean = values.reduce(0, +) / count
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / count
        moments.merge(mean: [mean], variance: [variance], count: count)
    }

    /// Why a saved normalisation does not fit `environments` environments, or nil.
    func problem(environments: Int) -> String? {
        guard returns.count == environments, returns.allSatisfy(\.isFinite) else { return "a reward normalisation for another number of environments" }
        guard clip > 0, clip.isFinite, (0...1).contains(gamma) else {
            return "a reward normalisation with a bad clip or gamma"
        }
        return moments.problem(width: 1)
    }
}
