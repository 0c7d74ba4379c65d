import GymProtocol

/// Reverb's rate limiter: a minimum size before sampling, and optionally a ratio of sampled
/// to inserted items held within an error buffer.
///
/// With ratio r, `diff = inserts · r − samples` and `target = r · minSize`: a sample waits while
/// `diff < target − errorBuffer`, an insert while `diff > target + errorBuffer`. The check is made
/// before a call, so one batch may overshoot the band; that keeps batches larger than the band
/// from waiting forever.
struct RateLimit: Equatable {
    /// Items needed before any sample.
    var minSize: Int
    /// Sampled items per inserted item (0: no ratio).
    var samplesPerInsert: Double
    /// Slack around the ratio.
    var errorBuffer: Double

    init(_ wire: Gym_V1_RateLimiter) {
        minSize = max(1, Int(clamping: wire.minSizeToSample))
        samplesPerInsert = wire.samplesPerInsert
        errorBuffer = wire.errorBuffer
    }

    private func diff(inserts: Int, samples: Int) -> Double {
        Double(inserts) * samplesPerInsert - Double(samples)
    }

    /// Whether a sample may go ahead now.
    func allowsSample(size: Int, inserts: Int, samples: Int) -> Bool {
        guard size >= minSize else { return false }
        guard samplesPerInsert > 0 else { return true }
        return diff(inserts: inserts, samples: samples) >= samplesPerInsert * Double(minSize) - errorBuffer
    }

    /// Whether an insert may go ahead now.
    func allowsInsert(inserts: Int, samples: Int) -> Bool {
        guard samplesPerInsert > 0 else { return true }
        return diff(inserts: inserts, samples: samples) <= samplesPerInsert * Double(minSize) + errorBuffer
    }
}
