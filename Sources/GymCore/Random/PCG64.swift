/// NumPy's `np.random.PCG64`: a 128-bit LCG with the XSL-RR output function,
/// including NumPy's buffering of the spare half of a 64-bit draw for 32-bit requests.
public struct PCG64: Sendable, Hashable {
    // PCG_DEFAULT_MULTIPLIER_128, split into halves because UInt128 needs macOS 15 and the package targets 14.
    private static let multiplierHigh: UInt64 = 2_549_297_995_355_413_924
    private static let multiplierLow: UInt64 = 4_865_540_595_714_422_341

    private var stateHigh: UInt64 = 0
    private var stateLow: UInt64 = 0
    private var incrementHigh: UInt64
    private var incrementLow: UInt64
    private var bufferedUInt32: UInt32 = 0
    private var hasBufferedUInt32 = false

    /// Seeds as `PCG64(seed_seq)`: the first two uint64 state words are the initial state, the next two the stream.
    public init(seedSequence: SeedSequence) {
        var stream = seedSequence.makeStateStream()
        let initialStateHigh = stream.nextWord64()
        let initialStateLow = stream.nextWord64()
        let sequenceHigh = stream.nextWord64()
        let sequenceLow = stream.nextWord64()
        self.init(
            initialStateHigh: initialStateHigh, initialStateLow: initialStateLow,
            sequenceHigh: sequenceHigh, sequenceLow: sequenceLow)
    }

    /// Seeds as PCG's `srandom(initstate, initseq)`, each 128-bit value given as two halves.
    public init(initialStateHigh: UInt64, initialStateLow: UInt64, sequenceHigh: UInt64, sequenceLow: UInt64) {
        // The increment must be odd for the LCG to have full period.
        incrementHigh = (sequenceHigh << 1) | (sequenceLow >> 63)
        incrementLow = (sequenceLow << 1) | 1
        step()
        let (sumLow, carry) = stateLow.addingReportingOverflow(initialStateLow)
        stateLow = sumLow
        stateHigh = stateHigh &+ initialStateHigh &+ (carry ? 1 : 0)
        step()
    }

    private mutating func step() {
        let (productHigh, productLow) = stateLow.multipliedFullWidth(by: Self.multiplierLow)
        let crossTerms = stateHigh &* Self.multiplierLow &+ stateLow &* Self.multiplierHigh
        let (sumLow, carry) = productLow.addingReportingOverflow(incrementLow)
        stateHigh = productHigh &+ crossTerms &+ incrementHigh &+ (carry ? 1 : 0)
        stateLow = sumLow
    }

    /// The next raw 64-bit output, as `bit_generator.random_raw()`.
    public mutating func nextUInt64() -> UInt64 {
        step()
        let folded = stateHigh ^ stateLow
        let rotation = stateHigh >> 58
        return (folded &>> rotation) | (folded &<< (64 &- rotation))
    }

    /// A 32-bit output; NumPy hands out the low half of a 64-bit draw and keeps the high half for the next call.
    public mutating func nextUInt32() -> UInt32 {
        if hasBufferedUInt32 {
            hasBufferedUInt32 = false
            return bufferedUInt32
        }
        let draw = nextUInt64()
        bufferedUInt32 = UInt32(truncatingIfNeeded: draw >> 32)
        hasBufferedUInt32 = true
        return UInt32(truncatingIfNeeded: draw)
    }

    /// A double in [0, 1) from the top 53 bits of one draw, as NumPy's `next_double`.
    public mutating func nextDouble() -> Double {
        Double(nextUInt64() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }
}
