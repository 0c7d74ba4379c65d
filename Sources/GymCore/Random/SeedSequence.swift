/// NumPy's `np.random.SeedSequence` with the default pool of four words and no spawn key:
/// it turns a user seed into well-mixed state words, bit for bit as NumPy does.
public struct SeedSequence: Sendable, Hashable {
    // These constants define NumPy's hash; changing any of them breaks reproducibility with Python.
    private static let initA: UInt32 = 0x43B0_D7E5
    private static let multiplierA: UInt32 = 0x931E_8875
    private static let initB: UInt32 = 0x8B51_F9DD
    private static let multiplierB: UInt32 = 0x58F3_8DED
    private static let mixMultiplierLeft: UInt32 = 0xCA01_F9DD
    private static let mixMultiplierRight: UInt32 = 0x4973_F715
    private static let xorShift: UInt32 = 16

    private let pool: Pool

    /// Seeds from a non-negative integer, as `SeedSequence(seed)` does for a Python int.
    public init(entropy: UInt64) {
        let lowWord = UInt32(truncatingIfNeeded: entropy)
        let highWord = UInt32(truncatingIfNeeded: entropy >> 32)
        // NumPy splits the int into 32-bit words little-endian first and drops high zero words,
        // but keeps a single word for zero.
        let wordCount = highWord == 0 ? 1 : 2
        self.init(entropyWordCount: wordCount) { $0 == 0 ? lowWord : highWord }
    }

    /// Seeds from 32-bit entropy words, as `SeedSequence(np.array(words, dtype=np.uint32))` does.
    public init(entropy words: [UInt32]) {
        self.init(entropyWordCount: words.count) { words[$0] }
    }

    private init(entropyWordCount: Int, entropyWord: (Int) -> UInt32) {
        var hashConstant = Self.initA
        func hashMix(_ value: UInt32) -> UInt32 {
            var mixed = value ^ hashConstant
            hashConstant &*= Self.multiplierA
            mixed &*= hashConstant
            return mixed ^ (mixed >> Self.xorShift)
        }

        var mixer = Pool()
        for index in 0..<Pool.size {
            mixer[index] = hashMix(index < entropyWordCount ? entropyWord(index) : 0)
        }
        for source in 0..<Pool.size {
            for destination in 0..<Pool.size where source != destination {
                mixer[destination] = Self.mix(mixer[destination], hashMix(mixer[source]))
            }
        }
        // Entropy longer than the pool is folded in afterwards; NumPy rehashes the word for every
        // destination, advancing the hash constant each time, so the hash stays inside the loop.
        if entropyWordCount > Pool.size {
            for source in Pool.size..<entropyWordCount {
                for destination in 0..<Pool.size {
                    mixer[destination] = Self.mix(mixer[destination], hashMix(entropyWord(source)))
                }
            }
        }
        pool = mixer
    }

    private static func mix(_ left: UInt32, _ right: UInt32) -> UInt32 {
        let combined = mixMultiplierLeft &* left &- mixMultiplierRight &* right
        return combined ^ (combined >> xorShift)
    }

    /// The mixed entropy pool, equal to NumPy's `SeedSequence.pool`.
    public var poolWords: [UInt32] { [pool.word0, pool.word1, pool.word2, pool.word3] }

    /// `generate_state(words, np.uint32)`.
    public func generateState(words: Int) -> [UInt32] {
        var stream = makeStateStream()
        return (0..<words).map { _ in stream.nextWord() }
    }

    /// `generate_state(words, np.uint64)`: twice as many 32-bit words, paired low word first.
    public func generateState64(words: Int) -> [UInt64] {
        var stream = makeStateStream()
        return (0..<words).map { _ in stream.nextWord64() }
    }

    /// Lets bit generators draw their seed words without building an array.
    func makeStateStream() -> StateStream { StateStream(pool: pool) }

    /// The output of `generate_state`, one word at a time.
    struct StateStream {
        fileprivate let pool: Pool
        private var hashConstant = SeedSequence.initB
        private var position = 0

        fileprivate init(pool: Pool) { self.pool = pool }

        mutating func nextWord() -> UInt32 {
            var word = pool[position % Pool.size] ^ hashConstant
            position += 1
            hashConstant &*= SeedSequence.multiplierB
            word &*= hashConstant
            return word ^ (word >> SeedSequence.xorShift)
        }

        // NumPy views the uint32 words as little-endian uint64 on every platform.
        mutating func nextWord64() -> UInt64 {
            let low = UInt64(nextWord())
            let high = UInt64(nextWord())
            return low | (high << 32)
        }
    }
}

// Four named words rather than an array, so seeding does not touch the heap.
private struct Pool: Sendable, Hashable {
    static let size = 4
    var word0: UInt32 = 0
    var word1: UInt32 = 0
    var word2: UInt32 = 0
    var word3: UInt32 = 0

    subscript(index: Int) -> UInt32 {
        get {
            switch index {
            case 0: word0
            case 1: word1
            case 2: word2
            default: word3
            }
        }
        set {
            switch index {
            case 0: word0 = newValue
            case 1: word1 = newValue
            case 2: word2 = newValue
            default: word3 = newValue
            }
        }
    }
}
