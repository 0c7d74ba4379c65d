/// Observations normalised by their running mean and standard deviation and clipped, as
/// Stable-Baselines3's `VecNormalize(norm_obs=True)`: `clip((obs − μ) / √(σ² + ε), ±clip)`.
///
/// The statistics change between rollouts, not within one: a rollout is collected and learnt
/// from with the same normalisation, so the probability ratios of its first epoch start at 1.
/// The network reads them as its `BoxScaling`, which the saved policy carries.
struct ObservationNormalization: Codable, Sendable, Equatable {
    /// Units are clipped to `±clip`.
    var clip: Double
    /// Added to the variance.
    static let epsilon = 1e-8
    var moments: RunningMoments

    init(width: Int, clip: Double) {
        self.clip = clip
        moments = RunningMoments(width: width)
    }

    /// The normalisation as it stands.
    var scaling: BoxScaling {
        let halfWidth = moments.variance.map { variance -> Float in
            let width = Float((variance + Self.epsilon).squareRoot())
            return width.isFinite && width > 0 ? width : 1
        }
        return BoxScaling(center: moments.mean.map { Float($0) }, halfWidth: halfWidth, clip: Float(clip))
    }

    /// Adds a rollout's raw observations (`rows` of them) to the statistics.
    mutating func observe(_ observations: some RandomAccessCollection<Float>, rows: Int) {
        moments.merge(observations, rows: rows)
    }

    /// Why a saved normalisation does not fit observations of `width` features, or nil.
    func problem(width: Int) -> String? {
        guard clip > 0, Float(clip).isFinite else { return "an observation normalisation with a bad clip" }
        return moments.problem(width: width)
    }
}
