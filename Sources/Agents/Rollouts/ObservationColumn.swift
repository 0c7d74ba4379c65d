import Foundation
import GymCore

/// How a replay buffer keeps observation values: as floats, or one byte each.
///
/// A `uint8` or `bool` Box observation reaches the agents as its values converted to floats
/// (0…255, see `ObservationEncoding`), so a byte holds every value exactly and reading it back
/// as `Float(byte)` gives the very float the encoding made: a quarter of the memory, bit for bit.
public enum ObservationStorage: String, Sendable, Codable, Equatable {
    /// Four bytes per value, any float (normalised, one-hot, float32 Box observations).
    case float
    /// One byte per value, for observations whose values are all integers in 0…255.
    case bytes

    /// The storage for features of `space`: bytes for a single `uint8` or `bool` Box, floats otherwise.
    public init(_ space: Space) {
        if case .box(_, _, _, let dtype) = space, dtype == .uint8 || dtype == .bool { self = .bytes } else { self = .float }
    }

    /// Bytes one value takes.
    public var bytesPerValue: Int { self == .float ? 4 : 1 }
}

/// Rows of `width` observation values in one flat array, floats or bytes as `storage` says.
///
/// Only one of the two arrays is ever non-empty; a struct of two arrays (rather than an enum
/// with payloads) lets rows be written in place without copy-on-write copies.
struct ObservationColumn: Sendable {
    /// How values are kept.
    let storage: ObservationStorage
    /// Values per row.
    let width: Int
    private var floats: [Float] = []
    private var bytes: [UInt8] = []

    /// `rows` rows of zeros.
    init(storage: ObservationStorage, width: Int, rows: Int) {
        self.storage = storage
        self.width = width
        switch storage {
        case .float: floats = Array(repeating: 0, count: rows * width)
        case .bytes: bytes = Array(repeating: 0, count: rows * width)
        }
    }

    /// Rows held.
    var rows: Int { width == 0 ? 0 : (storage == .float ? floats.count : bytes.count) / width }

    /// Bytes allocated (array capacity, not just the rows in use).
    var allocatedBytes: Int { floats.capacity * 4 + bytes.capacity }

    /// Adds a row of zeros at the end and returns its index. The array grows by 1/128 at a
    /// time (at least 8 rows), not by doubling: a replay pool near its ring's size would
    /// otherwise reserve up to twice the memory it needs.
    mutating func appendRow() -> Int {
        let row = rows
        let needed = (row + 1) * width
        switch storage {
        case .float:
            if floats.capacity < needed { floats.reserveCapacity(needed + max(row / 128, 8) * width) }
            floats.append(contentsOf: repeatElement(0, count: width))
        case .bytes:
            if bytes.capacity < needed { bytes.reserveCapacity(needed + max(row / 128, 8) * width) }
            bytes.append(contentsOf: repeatElement(0, count: width))
        }
        return row
    }

    /// Reserves room for `rows` rows in all.
    mutating func reserve(rows: Int) {
        switch storage {
        case .float: floats.reserveCapacity(rows * width)
        case .bytes: bytes.reserveCapacity(rows * width)
        }
    }

    /// Whether `row` holds `values` (`width` of them, already known to fit the storage) bit for bit.
    func same(row: Int, as values: UnsafeBufferPointer<Float>) -> Bool {
        precondition(values.count == width && row >= 0 && row < rows, "comparing a row of \(values.count) values")
        guard width > 0, let other = values.baseAddress else { return true }
        let base = row * width
        switch storage {
        case .float:
            // Bit for bit: signed zeros and NaN payloads differ, as they should.
            return floats.withUnsafeBufferPointer { x in memcmp(x.baseAddress! + base, other, width * 4) == 0 }
        case .bytes:
            return bytes.withUnsafeBufferPointer { x in
                var k = 0
                while k < width, Float(x[base + k]) == other[k] { k += 1 }
                return k == width
            }
        }
    }

    /// Whether every value of `source` is kept exactly (bit for bit) by this storage.
    static func fits(_ source: UnsafeBufferPointer<Float>, storage: ObservationStorage) -> Bool {
        guard storage == .bytes else { return true }
        // Also rules out −0 and NaN: only +0…255 integers come back as the same float.
        for value in source {
            guard value >= 0, value <= 255, Float(UInt8(value)).bitPattern == value.bitPattern else { return false }
        }
        return true
    }

    /// Writes `source` (`width` values) into `row`; false, writing nothing, when a value would not come back exactly.
    /// With `checked` false the caller has already seen that the values fit.
    @discardableResult
    mutating func write(row: Int, _ source: UnsafeBufferPointer<Float>, checked: Bool = true) -> Bool {
        precondition(source.count == width && row >= 0 && row < rows, "an observation row of \(source.count) values does not fit")
        guard !checked || Self.fits(source, storage: storage) else { return false }
        let base = row * width
        switch storage {
        case .float:
            floats.withUnsafeMutableBufferPointer { target in
                for k in 0..<width { target[base + k] = source[k] }
            }
        case .bytes:
            bytes.withUnsafeMutableBufferPointer { target in
                for k in 0..<width { target[base + k] = UInt8(source[k]) }
            }
        }
        return true
    }

    /// Writes `row` as floats at `target` (`width` of them).
    func read(row: Int, into target: UnsafeMutablePointer<Float>) {
        let base = row * width
        switch storage {
        case .float:
            floats.withUnsafeBufferPointer { source in
                for k in 0..<width { target[k] = source[base + k] }
            }
        case .bytes:
            bytes.withUnsafeBufferPointer { source in
                for k in 0..<width { target[k] = Float(source[base + k]) }
            }
        }
    }

    /// `row` as floats.
    func row(_ row: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: width) { buffer, initialized in
            if let base = buffer.baseAddress { read(row: row, into: base) }
            initialized = width
        }
    }

    /// The float values, for `.float` storage (empty otherwise).
    var floatValues: [Float] { floats }
    /// The byte values, for `.bytes` storage (empty otherwise).
    var byteValues: [UInt8] { bytes }

    /// Rows of floats as they are (`values.count` a multiple of `width`).
    init(width: Int, floats values: [Float]) {
        storage = .float
        self.width = width
        floats = values
    }

    /// Rows of bytes as they are (`values.count` a multiple of `width`).
    init(width: Int, bytes values: [UInt8]) {
        storage = .bytes
        self.width = width
        bytes = values
    }

    /// Grows to `rows` rows with zeros (never shrinks).
    mutating func pad(toRows rows: Int) {
        let missing = max(rows - self.rows, 0) * width
        switch storage {
        case .float: floats.append(contentsOf: repeatElement(0, count: missing))
        case .bytes: bytes.append(contentsOf: repeatElement(0, count: missing))
        }
    }
}
