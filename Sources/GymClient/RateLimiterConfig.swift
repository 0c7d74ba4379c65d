import GymCore

/// When a table lets samples and inserts proceed (Reverb's rate limiters): sampling needs
/// `minSizeToSample` items, and with `samplesPerInsert` > 0 the sampled/inserted ratio is held
/// within `errorBuffer` of it.
public struct RateLimiterConfig: Sendable, Equatable {
    /// Items a table needs before it can be sampled (0 is taken as 1).
    public var minSizeToSample: Int
    /// Sampled items per inserted item to hold to (0: no ratio, only the minimum size).
    public var samplesPerInsert: Double
    /// How far from the ratio calls may run before they wait.
    public var errorBuffer: Double

    /// A limiter; the defaults impose only a minimum size of one item.
    public init(minSizeToSample: Int = 0, samplesPerInsert: Double = 0, errorBuffer: Double = 0) {
        self.minSizeToSample = minSizeToSample
        self.samplesPerInsert = samplesPerInsert
        self.errorBuffer = errorBuffer
    }
}
