import Testing
@testable import GymCore

// NumPy's ziggurat, replayed for 10^7 draws over 24 seeds against Fixtures/make_standard_normal_fixtures.py.

struct StandardNormalFixture: Sendable, CustomTestStringConvertible {
    let seed: UInt64
    let checksum: UInt64
    let tailCount: Int
    let minimum: UInt64
    let maximum: UInt64
    let sampled: [UInt64]

    var testDescription: String { "seed \(seed)" }
}

/// The checksum the fixture script computes: each draw's bits mixed with its index, summed modulo 2^64.
struct StandardNormalChecksum {
    private(set) var total: UInt64 = 0
    private var index: UInt64 = 0

    mutating func add(_ value: Double) {
        var mixed = (value.bitPattern ^ (index &* 0x9E37_79B9_7F4A_7C15)) &* 0xBF58_476D_1CE4_E5B9
        mixed ^= mixed >> 31
        total &+= mixed
        index += 1
    }
}

@Suite("NumPy standard_normal")
struct StandardNormalTests {
    @Test("10^7 draws match NumPy bit for bit, tails included", arguments: standardNormalFixtures)
    func matchesNumPy(_ fixture: StandardNormalFixture) {
        var generator = NumPyGenerator(seed: fixture.seed)
        var checksum = StandardNormalChecksum()
        var tailCount = 0
        var minimum = Double.infinity
        var maximum = -Double.infinity
        var sampled: [UInt64] = []
        var nextSample = standardNormalSampledIndices.makeIterator()
        var sampleIndex = nextSample.next()
        for index in 0..<standardNormalDrawCount {
            let value = generator.standardNormal()
            checksum.add(value)
            if abs(value) > NumPyGenerator.zigguratTailStart { tailCount += 1 }
            minimum = min(minimum, value)
            maximum = max(maximum, value)
            if index == sampleIndex {
                sampled.append(value.bitPattern)
                sampleIndex = nextSample.next()
            }
        }
        #expect(sampled == fixture.sampled)
        #expect(tailCount == fixture.tailCount)
        #expect(minimum.bitPattern == fixture.minimum)
        #expect(maximum.bitPattern == fixture.maximum)
        #expect(checksum.total == fixture.checksum)
    }

    @Test("an array of draws is the same stream as single draws")
    func arrayDrawsAreSingleDraws() {
        var single = NumPyGenerator(seed: 7)
        var batched = NumPyGenerator(seed: 7)
        let first = (0..<5).map { _ in single.standardNormal() }
        #expect(batched.standardNormal(count: 5) == first)
        #expect(batched.random() == single.random())
    }
}
