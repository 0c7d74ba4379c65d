/// NumPy's `np.random.Generator` over `PCG64`, for the draws Gymnasium environments make.
/// Seeded with the same integer, it yields bit-identical values to
/// `gymnasium.utils.seeding.np_random(seed)`.
public struct NumPyGenerator: Sendable, Hashable {
    /// The underlying bit generator, exposed so raw draws can be compared with `random_raw()`.
    public internal(set) var bitGenerator: PCG64

    /// `np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))`, Gymnasium's seeding path.
    public init(seed: UInt64) {
        bitGenerator = PCG64(seedSequence: SeedSequence(entropy: seed))
    }

    /// Seeds from explicit 32-bit entropy words, as `SeedSequence(words)`.
    public init(entropy words: [UInt32]) {
        bitGenerator = PCG64(seedSequence: SeedSequence(entropy: words))
    }

    /// Seeds from 128 bits drawn from `source`, as NumPy does from the OS when the seed is `None`.
    public init<Source: RandomNumberGenerator>(entropy source: inout Source) {
        let low = source.next()
        let high = source.next()
        var words = [low, high].flatMap { [UInt32(truncatingIfNeeded: $0), UInt32(truncatingIfNeeded: $0 >> 32)] }
        // NumPy receives the entropy as a Python int, which loses its high zero words.
        while words.count > 1, words.last == 0 {
            words.removeLast()
        }
        self.init(entropy: words)
    }

    /// Seeds from the system's secure generator, for unseeded resets.
    public init() {
        var systemGenerator = SystemRandomNumberGenerator()
        self.init(entropy: &systemGenerator)
    }

    /// `Generator.random()`: a double in [0, 1).
    public mutating func random() -> Double {
        bitGenerator.nextDouble()
    }

    /// `Generator.uniform(low, high)`: NumPy computes the span once, then `low + span * u`, without fusing.
    public mutating func uniform(low: Double, high: Double) -> Double {
        low + (high - low) * bitGenerator.nextDouble()
    }

    /// `Generator.uniform(low, high, size=count)` for scalar bounds.
    public mutating func uniform(low: Double, high: Double, count: Int) -> [Double] {
        let span = high - low
        return (0..<count).map { _ in low + span * bitGenerator.nextDouble() }
    }

    /// `Generator.uniform(low_array, high_array)` for bounds of equal length, drawn in element order.
    public mutating func uniform(low: [Double], high: [Double]) -> [Double] {
        precondition(low.count == high.count, "uniform bounds must have the same length")
        return zip(low, high).map { lowBound, highBound in
            lowBound + (highBound - lowBound) * bitGenerator.nextDouble()
        }
    }

    /// `Generator.integers(low, high)` with the default int64 dtype and `endpoint=False`: a value in [low, high).
    public mutating func integers(low: Int64, high: Int64) -> Int64 {
        precondition(low < high, "integers requires low < high")
        return boundedInteger(offset: low, inclusiveSpan: Self.inclusiveSpan(low: low, high: high))
    }

    /// `Generator.integers(high)`: a value in [0, high), as `Discrete.sample()` draws.
    public mutating func integers(high: Int64) -> Int64 {
        integers(low: 0, high: high)
    }

    /// `Generator.integers(low, high, size=count)` with the default int64 dtype.
    public mutating func integers(low: Int64, high: Int64, count: Int) -> [Int64] {
        precondition(low < high, "integers requires low < high")
        let span = Self.inclusiveSpan(low: low, high: high)
        return (0..<count).map { _ in boundedInteger(offset: low, inclusiveSpan: span) }
    }

    // NumPy samples the closed interval [low, high - 1]; the span can need all 64 unsigned bits.
    private static func inclusiveSpan(low: Int64, high: Int64) -> UInt64 {
        UInt64(bitPattern: high) &- 1 &- UInt64(bitPattern: low)
    }

    // Mirrors `random_bounded_uint64_fill` with Lemire's method; spans that fit in 32 bits use the
    // buffered 32-bit draws, which is what makes consecutive small draws share one 64-bit output.
    private mutating func boundedInteger(offset: Int64, inclusiveSpan span: UInt64) -> Int64 {
        let draw: UInt64
        if span == 0 {
            draw = 0
        } else if span == UInt64(UInt32.max) {
            draw = UInt64(bitGenerator.nextUInt32())
        } else if span < UInt64(UInt32.max) {
            draw = UInt64(lemire32(inclusiveSpan: UInt32(span)))
        } else if span == UInt64.max {
            draw = bitGenerator.nextUInt64()
        } else {
            draw = lemire64(inclusiveSpan: span)
        }
        return Int64(bitPattern: UInt64(bitPattern: offset) &+ draw)
    }

    private mutating func lemire32(inclusiveSpan span: UInt32) -> UInt32 {
        let exclusiveSpan = span &+ 1
        var product = UInt64(bitGenerator.nextUInt32()) &* UInt64(exclusiveSpan)
        var leftover = UInt32(truncatingIfNeeded: product)
        // The threshold costs a division, so it is only computed when a rejection is possible at all.
        if leftover < exclusiveSpan {
            let threshold = (UInt32.max &- span) % exclusiveSpan
            while leftover < threshold {
                product = UInt64(bitGenerator.nextUInt32()) &* UInt64(exclusiveSpan)
                leftover = UInt32(truncatingIfNeeded: product)
            }
        }
        return UInt32(truncatingIfNeeded: product >> 32)
    }

    private mutating func lemire64(inclusiveSpan span: UInt64) -> UInt64 {
        let exclusiveSpan = span &+ 1
        var (high, leftover) = bitGenerator.nextUInt64().multipliedFullWidth(by: exclusiveSpan)
        if leftover < exclusiveSpan {
            let threshold = (UInt64.max &- span) % exclusiveSpan
            while leftover < threshold {
                (high, leftover) = bitGenerator.nextUInt64().multipliedFullWidth(by: exclusiveSpan)
            }
        }
        return high
    }
}

extension NumPyGenerator {
    /// The generator an environment's reset draws from, as Gymnasium's `reset(seed=)` does: a
    /// fresh one for a seed, otherwise the environment's current stream, or one seeded from
    /// entropy on the very first unseeded reset.
    public static func forReset(continuing current: NumPyGenerator?, seed: UInt64?) -> NumPyGenerator {
        if let seed { return NumPyGenerator(seed: seed) }
        return current ?? NumPyGenerator()
    }
}
