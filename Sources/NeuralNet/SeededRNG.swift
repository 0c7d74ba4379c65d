import Foundation

/// A small, fast, seedable generator (xoshiro256**, seeded through SplitMix64).
///
/// The system generator cannot be seeded, and weight initialisation, exploration
/// noise and replay sampling must be reproducible from a seed, so every random
/// draw in this module goes through this type. It is a value type: copying it
/// forks the stream.
public struct SeededRNG: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64
    /// A second normal deviate left over from the last Box–Muller pair.
    private var spareNormal: Float?

    /// Creates a generator whose whole stream is determined by `seed`.
    public init(seed: UInt64) {
        // SplitMix64 spreads any seed (even 0) into a well-mixed, non-zero state.
        var sm = seed
        func splitMix(_ x: inout UInt64) -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(&sm)
        s1 = splitMix(&sm)
        s2 = splitMix(&sm)
        s3 = splitMix(&sm)
        spareNormal = nil
    }

    /// Starts from a raw xoshiro256** state (not all zero), e.g. to check published test vectors.
    init(state: (UInt64, UInt64, UInt64, UInt64)) {
        precondition(state != (0, 0, 0, 0), "xoshiro256** cannot start from the all-zero state")
        (s0, s1, s2, s3) = state
        spareNormal = nil
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @inline(__always)
    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform draw from `[0, 1)` with 24 random bits, every value exactly representable.
    public mutating func nextUniform() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A uniform draw from `[low, high)`.
    public mutating func nextUniform(low: Float, high: Float) -> Float {
        low + (high - low) * nextUniform()
    }

    /// A uniform draw from `[0, 1)` in double precision (53 random bits).
    public mutating func nextDouble() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// A standard normal draw (Box–Muller in double precision; the pair's second value is kept).
    public mutating func nextNormal() -> Float {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        // 1 - u is in (0, 1], so the logarithm is finite.
        let u1 = 1.0 - nextDouble()
        let u2 = nextDouble()
        let radius = (-2.0 * log(u1)).squareRoot()
        let angle = 2.0 * Double.pi * u2
        spareNormal = Float(radius * sin(angle))
        return Float(radius * cos(angle))
    }

    /// A uniform integer in `0..<upperBound` without modulo bias (Lemire's multiply-and-reject).
    ///
    /// Implemented here rather than through the standard library's `next(upperBound:)` so that
    /// replay sampling from a seed cannot change with the Swift version.
    public mutating func nextInt(below upperBound: Int) -> Int {
        precondition(upperBound > 0, "upper bound must be positive")
        let bound = UInt64(upperBound)
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = next().multipliedFullWidth(by: bound) }
        }
        return Int(product.high)
    }
}

/// A generator's exact state travels as text (four hex words and the spare normal's bits), so
/// a checkpoint restores the stream bit for bit whatever a JSON reader does with large numbers.
extension SeededRNG: Codable {
    private enum CodingKeys: String, CodingKey { case state, spareNormal = "spare_normal" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let words = try container.decode([String].self, forKey: .state).map { UInt64($0, radix: 16) }
        guard words.count == 4, let s0 = words[0], let s1 = words[1], let s2 = words[2], let s3 = words[3],
              (s0, s1, s2, s3) != (0, 0, 0, 0) else {
            throw DecodingError.dataCorruptedError(forKey: .state, in: container,
                                                   debugDescription: "a generator state is four hex words, not all zero")
        }
        self.init(state: (s0, s1, s2, s3))
        spareNormal = try container.decodeIfPresent(String.self, forKey: .spareNormal).map { text in
            guard let bits = UInt32(text, radix: 16) else {
                throw DecodingError.dataCorruptedError(forKey: .spareNormal, in: container, debugDescription: "not a hex word")
            }
            return Float(bitPattern: bits)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode([s0, s1, s2, s3].map { String($0, radix: 16) }, forKey: .state)
        try container.encodeIfPresent(spareNormal.map { String($0.bitPattern, radix: 16) }, forKey: .spareNormal)
    }
}
