import CGymPlugin
import Foundation
import GymCore

/// Conversions between the C ABI's descriptions and GymCore's types.
package enum CValues {
    package static func dtype(_ raw: Int32) -> DType? {
        switch Int(raw) {
        case Int(GYM_DTYPE_FLOAT32): return .float32
        case Int(GYM_DTYPE_FLOAT64): return .float64
        case Int(GYM_DTYPE_INT64): return .int64
        case Int(GYM_DTYPE_INT32): return .int32
        case Int(GYM_DTYPE_INT8): return .int8
        case Int(GYM_DTYPE_UINT8): return .uint8
        case Int(GYM_DTYPE_BOOL): return .bool
        default: return nil
        }
    }

    package static func raw(_ dtype: DType) -> Int32 {
        switch dtype {
        case .float32: return Int32(GYM_DTYPE_FLOAT32)
        case .float64: return Int32(GYM_DTYPE_FLOAT64)
        case .int64: return Int32(GYM_DTYPE_INT64)
        case .int32: return Int32(GYM_DTYPE_INT32)
        case .int8: return Int32(GYM_DTYPE_INT8)
        case .uint8: return Int32(GYM_DTYPE_UINT8)
        case .bool: return Int32(GYM_DTYPE_BOOL)
        }
    }

    /// Most elements one space of a plugin may have.
    package static let maxElements = 1 << 24

    /// The space a C description declares, or why it cannot be read.
    package static func space(_ c: gym_space) throws -> Space {
        let ndim = Int(c.ndim)
        guard ndim >= 0, ndim <= 16 else { throw GymError(.invalidArgument, "space has \(ndim) dimensions") }
        let shape: [Int] = ndim == 0 ? [] : try (0..<ndim).map { index in
            guard let pointer = c.shape else { throw GymError(.invalidArgument, "space shape is NULL") }
            return Int(pointer[index])
        }
        // A plugin's dimensions are input like a peer's: a product that overflows, or that no
        // value could hold, is refused before anything is read or sized from it.
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard dimension >= 0, !overflow, product <= maxElements else {
                throw GymError(.invalidArgument, "space shape \(shape) has a negative dimension or more than \(maxElements) elements")
            }
            count = product
        }
        switch Int(c.kind) {
        case Int(GYM_SPACE_DISCRETE):
            return .discrete(n: c.n, start: c.start)
        case Int(GYM_SPACE_BOX):
            guard let dtype = dtype(c.dtype) else { throw GymError(.invalidArgument, "box has unknown dtype \(c.dtype)") }
            guard let low = c.low, let high = c.high, count > 0 else {
                throw GymError(.invalidArgument, "box bounds are missing or its shape \(shape) is unusable")
            }
            return .box(low: Array(UnsafeBufferPointer(start: low, count: count)),
                        high: Array(UnsafeBufferPointer(start: high, count: count)), shape: shape, dtype: dtype)
        case Int(GYM_SPACE_MULTI_DISCRETE):
            guard ndim == 1, let nvec = c.nvec, count > 0 else { throw GymError(.invalidArgument, "multi-discrete needs ndim 1 and nvec") }
            let starts = c.starts.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? Array(repeating: 0, count: count)
            return .multiDiscrete(nvec: Array(UnsafeBufferPointer(start: nvec, count: count)), start: starts)
        case Int(GYM_SPACE_MULTI_BINARY):
            return .multiBinary(shape: shape)
        default:
            throw GymError(.invalidArgument, "unknown space kind \(c.kind)")
        }
    }

    /// A C string, or nil for NULL.
    package static func string(_ pointer: UnsafePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    /// The text of a NUL-terminated C buffer.
    package static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A value from the C ABI.
    package static func value(_ c: gym_value) -> Value? {
        switch Int(c.kind) {
        case Int(GYM_VALUE_NUMBER): return .number(c.number)
        case Int(GYM_VALUE_INTEGER): return .integer(c.integer)
        case Int(GYM_VALUE_TEXT): return .text(string(c.text) ?? "")
        case Int(GYM_VALUE_FLAG): return .flag(c.flag != 0)
        default: return nil
        }
    }

    /// Named values from a C array.
    package static func valueMap(_ values: UnsafePointer<gym_value>?, count: Int32) -> ValueMap {
        guard let values, count > 0 else { return [:] }
        var map: ValueMap = [:]
        for entry in UnsafeBufferPointer(start: values, count: Int(count)) {
            if let name = string(entry.name), let value = value(entry) { map[name] = value }
        }
        return map
    }

    /// The info values a plugin wrote: `count` entries of an array with room for `capacity`.
    /// A count outside 0...capacity is the plugin's failure; names are read at most
    /// GYM_PLUGIN_MAX_NAME_BYTES long, and only number, integer and flag values are kept.
    package static func infoMap(_ values: UnsafePointer<gym_value>, count: Int32, capacity: Int) throws -> ValueMap {
        guard count >= 0, Int(count) <= capacity else {
            throw GymError(.internalError, "plugin wrote \(count) info values into room for \(capacity)")
        }
        var map: ValueMap = [:]
        for entry in UnsafeBufferPointer(start: values, count: Int(count)) {
            guard let name = entry.name else { continue }
            let length = strnlen(name, Int(GYM_PLUGIN_MAX_NAME_BYTES) + 1)
            guard length > 0, length <= Int(GYM_PLUGIN_MAX_NAME_BYTES) else { continue }
            let key = String(decoding: UnsafeRawBufferPointer(start: name, count: length), as: UTF8.self)
            switch Int(entry.kind) {
            case Int(GYM_VALUE_NUMBER): map[key] = .number(entry.number)
            case Int(GYM_VALUE_INTEGER): map[key] = .integer(entry.integer)
            case Int(GYM_VALUE_FLAG): map[key] = .flag(entry.flag != 0)
            default: continue
            }
        }
        return map
    }

    /// Copies `message` into a caller's error buffer, truncated and NUL-terminated.
    package static func write(_ message: String, to buffer: UnsafeMutablePointer<CChar>?, capacity: Int) {
        guard let buffer, capacity > 0 else { return }
        let bytes = Array(message.utf8.prefix(capacity - 1))
        for (index, byte) in bytes.enumerated() { buffer[index] = CChar(bitPattern: byte) }
        buffer[bytes.count] = 0
    }
}
