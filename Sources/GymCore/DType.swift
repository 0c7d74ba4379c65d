/// Element type of an array of observations, actions or rewards; data is little-endian.
public enum DType: String, Sendable, Hashable, CaseIterable, Codable {
    case float32, float64, int64, int32, int8, uint8, bool

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float64, .int64: return 8
        case .float32, .int32: return 4
        case .int8, .uint8, .bool: return 1
        }
    }

    /// Whether elements are floating point (compared with NaN rejection and float bounds).
    public var isFloatingPoint: Bool { self == .float32 || self == .float64 }

    /// Reads element `index` of `buffer` as a Double (exact for every dtype but large int64).
    @inline(__always)
    public func load(_ buffer: UnsafeRawBufferPointer, at index: Int) -> Double {
        let offset = index * byteSize
        switch self {
        case .float32: return Double(buffer.loadUnaligned(fromByteOffset: offset, as: Float.self))
        case .float64: return buffer.loadUnaligned(fromByteOffset: offset, as: Double.self)
        case .int64: return Double(buffer.loadUnaligned(fromByteOffset: offset, as: Int64.self))
        case .int32: return Double(buffer.loadUnaligned(fromByteOffset: offset, as: Int32.self))
        case .int8: return Double(buffer.loadUnaligned(fromByteOffset: offset, as: Int8.self))
        case .uint8, .bool: return Double(buffer[offset])
        }
    }

    /// Writes `value` as element `index` of `buffer`, converting to this dtype.
    @inline(__always)
    public func store(_ value: Double, into buffer: UnsafeMutableRawBufferPointer, at index: Int) {
        let offset = index * byteSize
        switch self {
        case .float32: buffer.storeBytes(of: Float(value), toByteOffset: offset, as: Float.self)
        case .float64: buffer.storeBytes(of: value, toByteOffset: offset, as: Double.self)
        case .int64: buffer.storeBytes(of: Self.integer(value, Int64.self), toByteOffset: offset, as: Int64.self)
        case .int32: buffer.storeBytes(of: Self.integer(value, Int32.self), toByteOffset: offset, as: Int32.self)
        case .int8: buffer.storeBytes(of: Self.integer(value, Int8.self), toByteOffset: offset, as: Int8.self)
        case .uint8: buffer.storeBytes(of: Self.integer(value, UInt8.self), toByteOffset: offset, as: UInt8.self)
        case .bool: buffer.storeBytes(of: value != 0 ? 1 : 0, toByteOffset: offset, as: UInt8.self)
        }
    }

    /// `value` truncated toward zero as `T` does, but total: out-of-range values saturate and
    /// NaN is 0, so a number a file or a peer chose can never trap the conversion.
    @inline(__always)
    static func integer<T: FixedWidthInteger>(_ value: Double, _: T.Type) -> T {
        if let exact = T(exactly: value.rounded(.towardZero)) { return exact }
        if value.isNaN { return 0 }
        return value < 0 ? T.min : T.max
    }
}
