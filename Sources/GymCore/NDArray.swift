/// A dense array as it travels: element type, row-major shape and raw little-endian bytes.
public struct NDArray: Sendable, Equatable {
    /// Element type.
    public var dtype: DType
    /// Row-major shape; empty for a scalar.
    public var shape: [Int]
    /// `elementCount * dtype.byteSize` bytes.
    public var bytes: [UInt8]

    /// Wraps bytes that already have the right size.
    public init(dtype: DType, shape: [Int], bytes: [UInt8]) {
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// An array of `values`, converted to `dtype`.
    public init(dtype: DType, shape: [Int], values: [Double]) {
        self.dtype = dtype
        self.shape = shape
        var bytes = [UInt8](repeating: 0, count: values.count * dtype.byteSize)
        bytes.withUnsafeMutableBytes { raw in
            for (index, value) in values.enumerated() { dtype.store(value, into: raw, at: index) }
        }
        self.bytes = bytes
    }

    /// Number of elements the shape describes.
    public var elementCount: Int { shape.reduce(1, *) }

    /// Whether the byte count matches shape and dtype; never traps, whatever the shape.
    public var isWellFormed: Bool { checkedByteCount == bytes.count }

    /// `elementCount * dtype.byteSize` when every dimension is non-negative and nothing
    /// overflows, else nil: the form to use on a shape a peer or a file chose.
    public var checkedByteCount: Int? {
        var total = dtype.byteSize
        for dim in shape {
            guard dim >= 0 else { return nil }
            let (product, overflow) = total.multipliedReportingOverflow(by: dim)
            guard !overflow else { return nil }
            total = product
        }
        return total
    }

    /// Every element as a Double.
    public var doubles: [Double] {
        bytes.withUnsafeBytes { raw in (0..<(raw.count / dtype.byteSize)).map { dtype.load(raw, at: $0) } }
    }

    /// Every element as a Float (float32 arrays are read bit for bit).
    public var floats: [Float] {
        if dtype == .float32 {
            return bytes.withUnsafeBytes { raw in
                (0..<(raw.count / 4)).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) }
            }
        }
        return doubles.map { Float($0) }
    }

    /// Every element as an Int64 (int64 arrays are read exactly).
    public var int64s: [Int64] {
        if dtype == .int64 {
            return bytes.withUnsafeBytes { raw in
                (0..<(raw.count / 8)).map { raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self) }
            }
        }
        return doubles.map { Int64($0) }
    }
}
