/// A bounds-checked cursor over protocol-buffer bytes from a peer, for the hand-written step
/// codec. Every read checks the bytes left first and answers nil when they run out or a
/// value is malformed (an over-long varint, a length past the end); nothing here can trap,
/// whatever the bytes. A nil sends the caller back to swift-protobuf's decoder, whose answer
/// (a value or its error) is then the answer.
struct WireReader {
    private let base: UnsafeRawBufferPointer
    /// Offset of the next byte to read.
    private(set) var offset: Int
    private let end: Int

    /// A reader over all of `bytes`.
    init(_ bytes: UnsafeRawBufferPointer) {
        base = bytes
        offset = 0
        end = bytes.count
    }

    private init(base: UnsafeRawBufferPointer, start: Int, end: Int) {
        self.base = base
        offset = start
        self.end = end
    }

    /// Whether every byte has been read.
    var isAtEnd: Bool { offset >= end }

    mutating func varint() -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < end, shift < 64 {
            let byte = base[offset]
            offset += 1
            value |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 {
                // A tenth byte may only carry the top bit (swift-protobuf rejects more).
                if shift == 63, byte > 1 { return nil }
                return value
            }
            shift += 7
        }
        return nil
    }

    /// The next field's number and wire type; nil at a malformed tag (field 0, wire types 6-7).
    mutating func tag() -> (field: UInt64, type: WireType)? {
        guard let key = varint(), let type = WireType(rawValue: UInt8(key & 7)) else { return nil }
        let field = key >> 3
        guard field >= 1, field <= 0x1fff_ffff else { return nil }
        return (field, type)
    }

    /// The payload of a length-delimited field as a reader of its own, after checking the
    /// length against the bytes left.
    mutating func delimited() -> WireReader? {
        guard let length = varint(), length <= UInt64(end - offset) else { return nil }
        let start = offset
        offset += Int(length)
        return WireReader(base: base, start: start, end: offset)
    }

    /// The payload of a length-delimited field as bytes (still the caller's buffer).
    mutating func delimitedBytes() -> UnsafeRawBufferPointer? {
        guard let inner = delimited() else { return nil }
        return inner.remaining
    }

    /// The bytes not yet read.
    var remaining: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: base[offset..<end]) }

    /// Skips a field of `type` whose tag was just read; false when it cannot (groups, which
    /// no message of this protocol has, or a truncated value).
    mutating func skip(_ type: WireType) -> Bool {
        switch type {
        case .varint: return varint() != nil
        case .fixed64: return advance(8)
        case .fixed32: return advance(4)
        case .lengthDelimited: return delimited() != nil
        case .startGroup, .endGroup: return false
        }
    }

    private mutating func advance(_ count: Int) -> Bool {
        guard end - offset >= count else { return false }
        offset += count
        return true
    }
}
