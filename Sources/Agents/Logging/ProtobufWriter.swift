import Foundation

/// Just enough of the protobuf wire format to write an `Event`.
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    mutating func varint(field: Int, _ value: UInt64) {
        tag(field, wireType: 0)
        appendVarint(value)
    }

    mutating func double(field: Int, _ value: Double) {
        tag(field, wireType: 1)
        Self.appendLittleEndian(value.bitPattern, to: &bytes)
    }

    mutating func float(field: Int, _ value: Float) {
        tag(field, wireType: 5)
        Self.appendLittleEndian(value.bitPattern, to: &bytes)
    }

    mutating func string(field: Int, _ value: String) {
        lengthDelimited(field: field, Array(value.utf8))
    }

    mutating func message(field: Int, _ value: ProtobufWriter) {
        lengthDelimited(field: field, value.bytes)
    }

    /// A `bytes` field: `payload` as is.
    mutating func data(field: Int, _ payload: [UInt8]) {
        lengthDelimited(field: field, payload)
    }

    private mutating func lengthDelimited(field: Int, _ payload: [UInt8]) {
        tag(field, wireType: 2)
        appendVarint(UInt64(payload.count))
        bytes += payload
    }

    private mutating func tag(_ field: Int, wireType: UInt64) {
        appendVarint(UInt64(field) << 3 | wireType)
    }

    private mutating func appendVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    static func appendLittleEndian<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }
}
