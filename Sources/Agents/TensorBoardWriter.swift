import Foundation

/// Writes scalars as a TensorBoard event file (`events.out.tfevents.<time>.<host>`).
///
/// The format is TFRecord framing — length (u64 LE), masked CRC32C of the length, the
/// payload, masked CRC32C of the payload — around serialized `tensorflow.Event` protobufs.
/// Only the fields scalars need are encoded, by hand: `wall_time` (1, double), `step`
/// (2, int64), `file_version` (3, string) and `summary` (5) holding `Summary.Value`s of
/// `tag` (1, string) and `simple_value` (2, float).
public final class TensorBoardWriter {
    /// The event file.
    public let url: URL
    private let handle: FileHandle
    private var pending: [UInt8] = []

    /// Creates the event file in `directory` (created if needed) and writes the version record.
    public init(directory: URL, wallTime: Double = Date().timeIntervalSince1970) throws(AgentError) {
        let host = ProcessInfo.processInfo.hostName
        url = directory.appendingPathComponent("events.out.tfevents.\(Int(wallTime)).\(host)")
        handle = try Self.create(url, directory: directory)
        var event = ProtobufWriter()
        event.double(field: 1, wallTime)
        event.string(field: 3, "brain.Event:2")
        append(event.bytes)
        try flush()
    }

    /// Adds one scalar at a global step.
    public func scalar(_ tag: String, _ value: Double, step: Int, wallTime: Double = Date().timeIntervalSince1970) {
        var entry = ProtobufWriter()
        entry.string(field: 1, tag)
        entry.float(field: 2, Float(value))
        var summary = ProtobufWriter()
        summary.message(field: 1, entry)
        var event = ProtobufWriter()
        event.double(field: 1, wallTime)
        event.varint(field: 2, UInt64(bitPattern: Int64(step)))
        event.message(field: 5, summary)
        append(event.bytes)
    }

    /// Writes buffered records to disk.
    public func flush() throws(AgentError) {
        guard !pending.isEmpty else { return }
        do {
            try handle.write(contentsOf: pending)
        } catch {
            throw AgentError(.io, "cannot write \(url.path): \(error.localizedDescription)")
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes the file.
    public func close() throws(AgentError) {
        try flush()
        try? handle.close()
    }

    private func append(_ payload: [UInt8]) {
        var length: [UInt8] = []
        ProtobufWriter.appendLittleEndian(UInt64(payload.count), to: &length)
        pending += length
        ProtobufWriter.appendLittleEndian(CRC32C.masked(length), to: &pending)
        pending += payload
        ProtobufWriter.appendLittleEndian(CRC32C.masked(payload), to: &pending)
    }

    /// Creates (or truncates) a file for writing, making its directory first.
    static func create(_ url: URL, directory: URL) throws(AgentError) -> FileHandle {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw AgentError(.io, "cannot create \(directory.path): \(error.localizedDescription)")
        }
        guard FileManager.default.createFile(atPath: url.path, contents: nil),
              let handle = FileHandle(forWritingAtPath: url.path) else {
            throw AgentError(.io, "cannot create \(url.path)")
        }
        return handle
    }
}

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

/// CRC-32C (Castagnoli), with TFRecord's masking so that a CRC of data holding CRCs stays well spread.
enum CRC32C {
    private static let table: [UInt32] = (0..<256).map { byte in
        var crc = UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        return crc
    }

    /// The plain CRC-32C of `bytes` (`checksum("123456789") == 0xE3069283`).
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    /// TFRecord's masked CRC: rotate right by 15 and add a constant.
    static func masked(_ bytes: [UInt8]) -> UInt32 {
        let crc = checksum(bytes)
        return ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }
}
