import GymCore

/// How an observation of any space becomes what an agent reads: flat float features for the
/// network agents, or one table row for the tabular ones.
///
/// The parts of a composite space are read in Gymnasium's `flatten` order: a `Tuple`'s in
/// position order, a `Dict`'s by key (sorted by Unicode code point, as Gymnasium's `Dict` sorts
/// a mapping's keys), depth first. The wire carries leaves in declaration order; the encoding
/// maps one onto the other.
///
/// Features (`.features`), per part:
/// - `Discrete(n, start)`: n one-hot floats, value `start + k` sets feature k;
/// - `MultiDiscrete(nvec, start)`: one one-hot block per element, `nvec[i]` floats each;
/// - `MultiBinary(shape)`: its 0/1 values as floats;
/// - `Box` of any dtype: its values as floats (float32 bit for bit).
///
/// Table rows (`.tableIndex`), for observations made only of `Discrete`, `MultiDiscrete` and
/// `MultiBinary` parts: every element is a digit (value − start, in radix n; a binary element
/// in radix 2), and the row is the mixed-radix number with the first digit least significant,
/// `d₀ + r₀·(d₁ + r₁·(d₂ + …))`. It travels as one float per observation, exact because the
/// number of rows is at most `maxStates` (below 2²⁴).
public struct ObservationEncoding: Sendable, Equatable {
    /// What the encoding produces.
    public enum Form: String, Sendable, Equatable {
        /// Flat float features (network agents).
        case features
        /// One table row index per observation, as a float (tabular agents).
        case tableIndex
    }

    /// How one leaf of the space is read.
    enum Part: Sendable, Equatable {
        /// A `Discrete(n, start)` leaf.
        case discrete(n: Int, start: Int64)
        /// A `MultiDiscrete` leaf.
        case multiDiscrete(nvec: [Int], start: [Int64])
        /// A `MultiBinary` leaf of `count` elements.
        case binary(count: Int)
        /// A `Box` leaf of `count` elements.
        case box(count: Int, dtype: DType, low: [Double], high: [Double])

        /// Elements of one value on the wire.
        var elements: Int {
            switch self {
            case .discrete: 1
            case .multiDiscrete(let nvec, _): nvec.count
            case .binary(let count), .box(let count, _, _, _): count
            }
        }
    }

    /// Most features one observation may encode to (a `Discrete(10⁹)` would be a billion floats).
    public static let maxFeatures = 1 << 20
    /// Most table rows an observation may index (float-exact, and a table that fits in memory).
    public static let maxStates = 1 << 22

    /// The space it reads.
    public let space: Space
    /// What it produces.
    public let form: Form
    /// Floats per observation: the features, or 1 for a table index.
    public let width: Int
    /// Lower bound of each feature (0 for one-hot and binary features; a Box's own bounds).
    public let low: [Double]
    /// Upper bound of each feature.
    public let high: [Double]
    /// Table rows, for `.tableIndex` (the product of the radices), else nil.
    public let stateCount: Int?
    /// The digits' radices in order, for `.tableIndex`.
    public let radices: [Int]
    /// The leaves in flatten order: each one's index on the wire and how it is read.
    let parts: [(leaf: Int, part: Part)]
    /// Whether the observation is one float32 Box, passed through as it came.
    let passesThrough: Bool

    /// The encoding of `space` in `form`, or an error naming the space and what would read it.
    public init(_ space: Space, form: Form = .features) throws(AgentError) {
        if let problem = space.validationProblem { throw AgentError(.unsupportedEnvironment, "invalid observation space: \(problem)") }
        self.space = space
        self.form = form
        var wireIndex = 0
        let ordered = try Self.flattenOrder(space, wireIndex: &wireIndex)
        parts = ordered
        if form == .features, ordered.count == 1, case .box(_, .float32, _, _) = ordered[0].part {
            passesThrough = true
        } else {
            passesThrough = false
        }

        switch form {
        case .features:
            var low: [Double] = [], high: [Double] = []
            var total = 0
            for (_, part) in ordered {
                let count: Int
                switch part {
                case .discrete(let n, _): count = n
                case .multiDiscrete(let nvec, _):
                    count = nvec.reduce(0) { $0 > Self.maxFeatures ? $0 : $0 + $1 }
                case .binary(let elements), .box(let elements, _, _, _): count = elements
                }
                total = count > Self.maxFeatures ? Self.maxFeatures + 1 : total + count
                guard total <= Self.maxFeatures else {
                    throw AgentError(.unsupportedEnvironment, "the observation space \(space.summary) encodes to more than "
                                     + "\(Self.maxFeatures) features (Discrete and MultiDiscrete parts are one-hot)")
                }
                if case .box(_, _, let partLow, let partHigh) = part {
                    low += partLow
                    high += partHigh
                } else {
                    low += repeatElement(0, count: count)
                    high += repeatElement(1, count: count)
                }
            }
            width = total
            self.low = low
            self.high = high
            stateCount = nil
            radices = []
        case .tableIndex:
            var radices: [Int] = []
            for (_, part) in ordered {
                switch part {
                case .discrete(let n, _): radices.append(n)
                case .multiDiscrete(let nvec, _): radices += nvec
                case .binary(let count): radices += repeatElement(2, count: min(count, 64))
                case .box:
                    throw AgentError(.unsupportedEnvironment, "tabular methods index a table by observations made only of Discrete, "
                                     + "MultiDiscrete and MultiBinary parts, or bin one Box; \(space.summary) mixes a Box with "
                                     + "other parts: train dqn, ppo, a2c or reinforce on it instead")
                }
            }
            var states = 1
            for radix in radices {
                let (product, overflow) = states.multipliedReportingOverflow(by: radix)
                guard !overflow, product <= Self.maxStates else {
                    throw AgentError(.unsupportedEnvironment, "the observation space \(space.summary) has more than \(Self.maxStates) "
                                     + "states, too many for a table: train dqn, ppo, a2c or reinforce on it instead")
                }
                states = product
            }
            width = 1
            low = [0]
            high = [Double(states - 1)]
            stateCount = states
            self.radices = radices
        }
    }

    public static func == (lhs: ObservationEncoding, rhs: ObservationEncoding) -> Bool {
        lhs.space == rhs.space && lhs.form == rhs.form
    }

    /// Features one observation of `space` encodes to (0 when it cannot be encoded: the layouts say why).
    public static func featureWidth(of space: Space) -> Int {
        (try? ObservationEncoding(space))?.width ?? 0
    }

    /// Whether every part of `space` is Discrete, MultiDiscrete or MultiBinary (a table can index it).
    public static func isDiscrete(_ space: Space) -> Bool {
        space.leaves.allSatisfy { if case .box = $0 { false } else { true } }
    }

    /// The leaves of `space` in flatten order, each with its index among the wire's leaves.
    private static func flattenOrder(_ space: Space, wireIndex: inout Int) throws(AgentError) -> [(leaf: Int, part: Part)] {
        switch space {
        case .tuple(let spaces):
            var out: [(leaf: Int, part: Part)] = []
            for inner in spaces { out += try flattenOrder(inner, wireIndex: &wireIndex) }
            return out
        case .dict(let entries):
            // Each entry's leaves keep their wire indices; only the entries' order changes.
            var blocks: [(key: String, parts: [(leaf: Int, part: Part)])] = []
            for entry in entries { blocks.append((entry.key, try flattenOrder(entry.space, wireIndex: &wireIndex))) }
            blocks.sort { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) }
            return blocks.flatMap(\.parts)
        case .discrete(let n, let start):
            defer { wireIndex += 1 }
            guard n <= Int64(maxFeatures) else {
                throw AgentError(.unsupportedEnvironment, "Discrete(\(n)) has more than \(maxFeatures) values, too many to one-hot or index")
            }
            return [(wireIndex, .discrete(n: Int(n), start: start))]
        case .multiDiscrete(let nvec, let start):
            defer { wireIndex += 1 }
            guard nvec.count <= maxFeatures, nvec.allSatisfy({ $0 <= Int64(maxFeatures) }) else {
                throw AgentError(.unsupportedEnvironment, "\(space.summary) has more than \(maxFeatures) values in a part, too many to one-hot or index")
            }
            return [(wireIndex, .multiDiscrete(nvec: nvec.map { Int($0) }, start: start))]
        case .multiBinary:
            defer { wireIndex += 1 }
            guard space.shape.allSatisfy({ $0 <= maxFeatures }), let count = checkedCount(space.shape) else {
                throw AgentError(.unsupportedEnvironment, "\(space.summary) has more than \(maxFeatures) elements")
            }
            return [(wireIndex, .binary(count: count))]
        case .box(let low, let high, let shape, let dtype):
            defer { wireIndex += 1 }
            guard let count = checkedCount(shape), low.count == count, high.count == count else {
                throw AgentError(.unsupportedEnvironment, "\(space.summary) has more than \(maxFeatures) elements")
            }
            return [(wireIndex, .box(count: count, dtype: dtype, low: low, high: high))]
        }
    }

    /// The product of `shape`, or nil past `maxFeatures`.
    private static func checkedCount(_ shape: [Int]) -> Int? {
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow, dimension >= 0, product <= maxFeatures else { return nil }
            count = product
        }
        return count
    }

    /// `rows` observations, given as the space's leaves on the wire (each `[rows] + leaf shape`),
    /// encoded back to back: `rows × width` floats. A value outside its space is an error.
    public func encode(_ leaves: [NDArray], rows: Int) throws(AgentError) -> [Float] {
        guard leaves.count == space.leaves.count, rows >= 0 else {
            throw AgentError(.unsupportedEnvironment, "got \(leaves.count) observation arrays for \(space.summary)")
        }
        for (leaf, part) in parts {
            let expected = rows.multipliedReportingOverflow(by: part.elements)
            let array = leaves[leaf]
            // checkedByteCount never traps on a peer's shape, unlike elementCount.
            guard !expected.overflow, let bytes = array.checkedByteCount, bytes == array.bytes.count,
                  bytes / array.dtype.byteSize == expected.partialValue else {
                throw AgentError(.unsupportedEnvironment, "an observation array does not hold \(rows) values of \(space.summary)")
            }
        }
        if passesThrough { return leaves[0].floats }
        switch form {
        case .features: return try features(leaves, rows: rows)
        case .tableIndex: return try indices(leaves, rows: rows).map { Float($0) }
        }
    }

    private func outOfRange(_ value: Int64, _ part: Part) -> AgentError {
        AgentError(.unsupportedEnvironment, "an observation value \(value) lies outside \(space.summary)")
    }

    /// The digit `value − start` when it is below `n`, else nil (no overflow on a peer's value).
    @inline(__always)
    private static func digit(_ value: Int64, start: Int64, n: Int) -> Int? {
        guard value >= start else { return nil }
        let offset = UInt64(bitPattern: value &- start)
        return offset < UInt64(n) ? Int(offset) : nil
    }

    private func features(_ leaves: [NDArray], rows: Int) throws(AgentError) -> [Float] {
        var out = [Float](repeating: 0, count: rows * width)
        var column = 0
        for (leaf, part) in parts {
            switch part {
            case .discrete(let n, let start):
                let values = leaves[leaf].int64s
                for row in 0..<rows {
                    guard let k = Self.digit(values[row], start: start, n: n) else { throw outOfRange(values[row], part) }
                    out[row * width + column + k] = 1
                }
                column += n
            case .multiDiscrete(let nvec, let start):
                let values = leaves[leaf].int64s
                for row in 0..<rows {
                    var offset = column
                    for element in nvec.indices {
                        let value = values[row * nvec.count + element]
                        guard let k = Self.digit(value, start: start[element], n: nvec[element]) else { throw outOfRange(value, part) }
                        out[row * width + offset + k] = 1
                        offset += nvec[element]
                    }
                }
                column += nvec.reduce(0, +)
            case .binary(let count):
                let values = leaves[leaf].int64s
                for row in 0..<rows {
                    for element in 0..<count {
                        let value = values[row * count + element]
                        guard value == 0 || value == 1 else { throw outOfRange(value, part) }
                        out[row * width + column + element] = Float(value)
                    }
                }
                column += count
            case .box(let count, _, _, _):
                let values = leaves[leaf].floats
                for row in 0..<rows {
                    for element in 0..<count { out[row * width + column + element] = values[row * count + element] }
                }
                column += count
            }
        }
        return out
    }

    /// Each observation's table row.
    public func indices(_ leaves: [NDArray], rows: Int) throws(AgentError) -> [Int] {
        var out = [Int](repeating: 0, count: rows)
        var stride = [Int](repeating: 1, count: rows)
        for (leaf, part) in parts {
            let values = leaves[leaf].int64s
            let (counts, starts): ([Int], [Int64]) = switch part {
            case .discrete(let n, let start): ([n], [start])
            case .multiDiscrete(let nvec, let start): (nvec, start)
            case .binary(let count): (Array(repeating: 2, count: count), Array(repeating: 0, count: count))
            case .box: ([], [])
            }
            for row in 0..<rows {
                for element in counts.indices {
                    let value = values[row * counts.count + element]
                    guard let k = Self.digit(value, start: starts[element], n: counts[element]) else { throw outOfRange(value, part) }
                    // Bounded by stateCount ≤ maxStates: no overflow.
                    out[row] += k * stride[row]
                    stride[row] *= counts[element]
                }
            }
        }
        return out
    }
}
