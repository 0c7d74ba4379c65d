/// Gymnasium's spaces: what observations and actions look like.
///
/// Values of a space are laid out as its leaves (every non-composite space inside it),
/// depth-first in declaration order, each leaf's elements contiguous.
public indirect enum Space: Sendable, Equatable {
    /// Integers `start ..< start + n`; one int64.
    case discrete(n: Int64, start: Int64 = 0)
    /// Per-element bounds (±infinity allowed), stored as Doubles (exact for float32 bounds).
    case box(low: [Double], high: [Double], shape: [Int], dtype: DType)
    /// A vector of discretes; element i in `start[i] ..< start[i] + nvec[i]`; int64.
    case multiDiscrete(nvec: [Int64], start: [Int64])
    /// 0/1 values of a shape; int8.
    case multiBinary(shape: [Int])
    /// Named sub-spaces, in order.
    case dict([DictEntry])
    /// Positional sub-spaces.
    case tuple([Space])

    /// One named sub-space of a `.dict` space.
    public struct DictEntry: Sendable, Equatable {
        public var key: String
        public var space: Space
        public init(_ key: String, _ space: Space) {
            self.key = key
            self.space = space
        }
    }

    /// A box with the same bounds for every element.
    public static func box(low: Double, high: Double, shape: [Int], dtype: DType = .float32) -> Space {
        let count = shape.reduce(1, *)
        return .box(low: Array(repeating: low, count: count), high: Array(repeating: high, count: count), shape: shape, dtype: dtype)
    }

    /// The non-composite spaces inside this one, depth-first.
    public var leaves: [Space] {
        switch self {
        case .dict(let entries): return entries.flatMap { $0.space.leaves }
        case .tuple(let spaces): return spaces.flatMap { $0.leaves }
        default: return [self]
        }
    }

    /// Element type of a leaf (composite spaces report `.uint8`, meaning raw bytes).
    public var dtype: DType {
        switch self {
        case .discrete, .multiDiscrete: return .int64
        case .box(_, _, _, let dtype): return dtype
        case .multiBinary: return .int8
        case .dict, .tuple: return .uint8
        }
    }

    /// Shape of one value of a leaf.
    public var shape: [Int] {
        switch self {
        case .discrete: return []
        case .box(_, _, let shape, _): return shape
        case .multiDiscrete(let nvec, _): return [nvec.count]
        case .multiBinary(let shape): return shape
        case .dict, .tuple: return [byteCount]
        }
    }

    /// Elements in one value of a leaf.
    public var elementCount: Int { shape.reduce(1, *) }

    /// Bytes one value of the whole space occupies.
    public var byteCount: Int {
        switch self {
        case .dict, .tuple: return leaves.reduce(0) { $0 + $1.byteCount }
        default: return elementCount * dtype.byteSize
        }
    }

    /// Why a spec is unusable, or nil when it is valid.
    public var validationProblem: String? {
        switch self {
        case .discrete(let n, let start):
            guard n > 0 else { return "Discrete n must be positive, got \(n)" }
            // Values are start ..< start + n: the last must be an Int64 too.
            return start.addingReportingOverflow(n - 1).overflow ? "Discrete start \(start) + n \(n) overflows Int64" : nil
        case .box(let low, let high, let shape, _):
            if shape.contains(where: { $0 <= 0 }) { return "Box shape \(shape) has a non-positive dimension" }
            let count = shape.reduce(1, *)
            if low.count != count || high.count != count { return "Box bounds do not match shape \(shape)" }
            for index in 0..<count where !(low[index] <= high[index]) {
                return "Box low[\(index)] = \(low[index]) exceeds high[\(index)] = \(high[index])"
            }
            return nil
        case .multiDiscrete(let nvec, let start):
            if nvec.isEmpty || nvec.contains(where: { $0 <= 0 }) { return "MultiDiscrete nvec must be positive" }
            guard start.count == nvec.count else { return "MultiDiscrete start must match nvec" }
            return zip(start, nvec).contains(where: { $0.addingReportingOverflow($1 - 1).overflow }) ? "MultiDiscrete start + nvec overflows Int64" : nil
        case .multiBinary(let shape):
            return shape.isEmpty || shape.contains(where: { $0 <= 0 }) ? "MultiBinary shape must be positive" : nil
        case .dict(let entries):
            return entries.isEmpty ? "Dict space is empty" : entries.lazy.compactMap { $0.space.validationProblem }.first
        case .tuple(let spaces):
            return spaces.isEmpty ? "Tuple space is empty" : spaces.lazy.compactMap { $0.validationProblem }.first
        }
    }

    /// Whether element `index` of a leaf value read from `buffer` (at element offset `base`) lies in the space.
    @inline(__always)
    func leafContains(_ buffer: UnsafeRawBufferPointer, element index: Int, base: Int) -> Bool {
        switch self {
        case .discrete(let n, let start):
            let value = buffer.loadUnaligned(fromByteOffset: (base + index) * 8, as: Int64.self)
            // The difference of two Int64s fits a UInt64 once value >= start: no overflow trap on a peer's value.
            return value >= start && UInt64(bitPattern: value &- start) < UInt64(bitPattern: n)
        case .multiDiscrete(let nvec, let start):
            let value = buffer.loadUnaligned(fromByteOffset: (base + index) * 8, as: Int64.self)
            return value >= start[index] && UInt64(bitPattern: value &- start[index]) < UInt64(bitPattern: nvec[index])
        case .multiBinary:
            let value = buffer.loadUnaligned(fromByteOffset: base + index, as: Int8.self)
            return value == 0 || value == 1
        case .box(let low, let high, _, let dtype):
            let value = dtype.load(buffer, at: base + index)
            if dtype == .float32 {
                // Compare in float32, as the bounds are float32 values.
                let single = Float(value)
                return single >= Float(low[index]) && single <= Float(high[index])
            }
            return value >= low[index] && value <= high[index]
        case .dict, .tuple:
            return true
        }
    }

    /// Whether every value of a leaf batch (`count` values, contiguous) lies in the space;
    /// returns the first offending value's index and element, or nil.
    public func firstOutOfRange(_ buffer: UnsafeRawBufferPointer, count: Int) -> (value: Int, element: Int)? {
        let perValue = elementCount
        for value in 0..<count {
            let base = value * perValue
            for element in 0..<perValue where !leafContains(buffer, element: element, base: base) {
                return (value, element)
            }
        }
        return nil
    }

    /// A short Gymnasium-style description, e.g. `Box(-inf, inf, (4,), float32)`.
    public var summary: String {
        switch self {
        case .discrete(let n, let start): return start == 0 ? "Discrete(\(n))" : "Discrete(\(n), start=\(start))"
        case .box(let low, let high, let shape, let dtype):
            let lo = Set(low).count == 1 ? Space.format(low[0]) : "[\(low.map(Space.format).joined(separator: ", "))]"
            let hi = Set(high).count == 1 ? Space.format(high[0]) : "[\(high.map(Space.format).joined(separator: ", "))]"
            return "Box(\(lo), \(hi), (\(shape.map(String.init).joined(separator: ", "))\(shape.count == 1 ? "," : "")), \(dtype))"
        case .multiDiscrete(let nvec, _): return "MultiDiscrete(\(nvec))"
        case .multiBinary(let shape): return "MultiBinary(\(shape))"
        case .dict(let entries): return "Dict(\(entries.map { "\($0.key): \($0.space.summary)" }.joined(separator: ", ")))"
        case .tuple(let spaces): return "Tuple(\(spaces.map(\.summary).joined(separator: ", ")))"
        }
    }

    private static func format(_ value: Double) -> String {
        if value == .infinity { return "inf" }
        if value == -.infinity { return "-inf" }
        return Float(value).description
    }
}
