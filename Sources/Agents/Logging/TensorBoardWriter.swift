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
        appendRecord(event.bytes)
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
        appendRecord(event.bytes)
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

    /// Frames one serialized `Event` as a TFRecord and queues it for `flush`.
    func appendRecord(_ payload: [UInt8]) {
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
