/// Protocol-buffer wire primitives for the hand-written step codec: varints, tags and
/// length-delimited fields appended to one growing byte array, in the byte order and field
/// order swift-protobuf writes, so its output and this writer's are the same bytes.
struct WireWriter {
    /// What has been written so far.
    var bytes: [UInt8]

    /// An empty writer with room for `capacity` bytes.
    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Bytes a varint of `value` takes (1 to 10).
    static func varintSize(_ value: UInt64) -> Int {
        // One byte per started group of 7 significant bits, and one for zero.
        let bits = 64 - value.leadingZeroBitCount
        return max(1, (bits + 6) / 7)
    }

    /// Bytes a length-delimited field of `length` payload bytes takes, tag included (fields 1-15).
    static func delimitedSize(_ length: Int) -> Int { 1 + varintSize(UInt64(length)) + length }

    /// Bytes a varint field takes, tag included (fields 1-15); 0 for a proto3 default value.
    static func varintFieldSize(_ value: UInt64) -> Int { value == 0 ? 0 : 1 + varintSize(value) }

    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// A tag of a field numbered 1-15 (one byte).
    mutating func tag(_ field: UInt8, _ type: WireType) { bytes.append(field << 3 | type.rawValue) }

    /// A varint field, left out when it holds the proto3 default 0.
    mutating func varintField(_ field: UInt8, _ value: UInt64) {
        guard value != 0 else { return }
        tag(field, .varint)
        varint(value)
    }

    /// The tag and length of a length-delimited field whose `length` payload bytes follow.
    mutating func delimited(_ field: UInt8, length: Int) {
        tag(field, .lengthDelimited)
        varint(UInt64(length))
    }

    /// A bytes field, left out when empty (the proto3 default).
    mutating func bytesField(_ field: UInt8, _ payload: UnsafeRawBufferPointer) {
        guard !payload.isEmpty else { return }
        delimited(field, length: payload.count)
        bytes.append(contentsOf: payload)
    }
}

/// The protocol-buffer wire types the step codec reads and writes.
enum WireType: UInt8 {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case startGroup = 3
    case endGroup = 4
    case fixed32 = 5
}
