import Foundation
import JSONWriting

/// The safetensors format: an 8-byte little-endian header length N, N bytes of JSON header
/// (`{"name": {"dtype", "shape", "data_offsets"}, "__metadata__": {...}}`), then raw
/// little-endian tensor data, offsets relative to the start of the data.
public enum SafeTensors {
    /// The largest header accepted, as in the reference implementation.
    public static let maxHeaderSize: UInt64 = 100_000_000

    /// Encodes tensors and metadata as safetensors bytes (tensors in name order, header padded to 8 bytes).
    public static func encode(_ tensors: [String: Tensor], metadata: [String: String] = [:]) throws(SafeTensorsError) -> [UInt8] {
        let names = tensors.keys.sorted()
        var header = "{"
        var entries: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { k in "\(jsonString(k)):\(jsonString(metadata[k] ?? ""))" }
            entries.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for name in names {
            guard !name.isEmpty, name != "__metadata__" else { throw .invalidName(name) }
            guard let t = tensors[name] else { continue }
            let end = offset + t.count * 4
            let shape = t.shape.map(String.init).joined(separator: ",")
            entries.append("\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        header += entries.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        // Padding the header with spaces keeps the data 8-byte aligned for memory-mapping readers.
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }

        var out: [UInt8] = []
        out.reserveCapacity(8 + headerBytes.count + offset)
        appendLittleEndian(UInt64(headerBytes.count), to: &out)
        out += headerBytes
        for name in names {
            guard let t = tensors[name] else { continue }
            for x in t.data { appendLittleEndian(x.bitPattern, to: &out) }
        }
        return out
    }

    /// Decodes safetensors bytes, validating the header, dtypes, shapes and byte ranges.
    public static func decode(_ bytes: [UInt8]) throws(SafeTensorsError) -> SafeTensorsFile {
        guard bytes.count >= 8 else { throw .truncated }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard n <= maxHeaderSize else { throw .headerTooLarge(n) }
        let headerLength = Int(n)
        guard bytes.count - 8 >= headerLength else { throw .truncated }
        let dataStart = 8 + headerLength
        let dataLength = bytes.count - dataStart

        let header: [String: HeaderEntry]
        do {
            header = try JSONDecoder().decode([String: HeaderEntry].self, from: Data(bytes[8..<dataStart]))
        } catch {
            throw .invalidHeader("header is not a JSON object of tensor entries and string metadata")
        }

        var metadata: [String: String] = [:]
        var ranges: [(name: String, begin: Int, end: Int, shape: [Int])] = []
        for (name, entry) in header {
            switch entry {
            case .metadata(let dict):
                guard name == "__metadata__" else { throw .invalidHeader("entry \(name) is not a tensor") }
                metadata = dict
            case let .tensor(dtype, shape, offsets):
                guard name != "__metadata__" else { throw .invalidHeader("__metadata__ is not a string map") }
                guard !name.isEmpty else { throw .invalidName(name) }
                guard dtype == "F32" else { throw .unsupportedDType(name: name, dtype: dtype) }
                guard shape.allSatisfy({ $0 >= 0 }) else { throw .invalidHeader("entry \(name) has a negative dimension") }
                guard offsets.count == 2 else { throw .invalidHeader("entry \(name) needs two data_offsets") }
                let (count, overflow) = shape.reduce((1, false)) { acc, d in
                    let (p, o) = acc.0.multipliedReportingOverflow(by: d)
                    return (p, acc.1 || o)
                }
                let begin = offsets[0], end = offsets[1]
                guard !overflow, count <= Int.max / 4, begin >= 0, end >= begin, end <= dataLength,
                      end - begin == count * 4 else {
                    throw .invalidOffsets(name: name)
                }
                ranges.append((name, begin, end, shape))
            }
        }

        // Like the reference reader, insist the ranges tile the data exactly: no overlap, no gap.
        ranges.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var cursor = 0
        for r in ranges {
            guard r.begin == cursor else { throw .dataNotContiguous }
            cursor = r.end
        }
        guard cursor == dataLength else { throw .dataNotContiguous }

        var tensors: [String: Tensor] = [:]
        for r in ranges {
            let count = (r.end - r.begin) / 4
            var data = [Float](repeating: 0, count: count)
            let base = dataStart + r.begin
            for k in 0..<count {
                let o = base + 4 * k
                let bits = UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16
                    | UInt32(bytes[o + 3]) << 24
                data[k] = Float(bitPattern: bits)
            }
            tensors[r.name] = Tensor(shape: r.shape, data: data)
        }
        return SafeTensorsFile(tensors: tensors, metadata: metadata)
    }

    /// Writes tensors and metadata to a file, replacing it atomically.
    public static func save(_ tensors: [String: Tensor], metadata: [String: String] = [:],
                            to url: URL) throws(SafeTensorsError) {
        let bytes = try encode(tensors, metadata: metadata)
        do {
            try Data(bytes).write(to: url, options: .atomic)
        } catch {
            throw .io("cannot write \(url.path): \(error.localizedDescription)")
        }
    }

    /// Reads and decodes a safetensors file.
    public static func load(from url: URL) throws(SafeTensorsError) -> SafeTensorsFile {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .io("cannot read \(url.path): \(error.localizedDescription)")
        }
        return try decode([UInt8](data))
    }

    /// One value of the header object: a tensor's description, or the metadata map.
    ///
    /// Decoded with `JSONDecoder`, which (unlike `JSONSerialization`'s `NSNumber`s) keeps
    /// integers, fractions and booleans apart, so `[2.5]` or `[true]` is not a shape.
    private enum HeaderEntry: Decodable {
        case tensor(dtype: String, shape: [Int], offsets: [Int])
        case metadata([String: String])

        private enum Keys: String, CodingKey {
            case dtype, shape
            case dataOffsets = "data_offsets"
        }

        init(from decoder: any Decoder) throws {
            if let c = try? decoder.container(keyedBy: Keys.self), c.contains(.dtype) {
                self = .tensor(dtype: try c.decode(String.self, forKey: .dtype),
                               shape: try c.decode([Int].self, forKey: .shape),
                               offsets: try c.decode([Int].self, forKey: .dataOffsets))
            } else {
                self = .metadata(try decoder.singleValueContainer().decode([String: String].self))
            }
        }
    }

    private static func appendLittleEndian<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        var v = value.littleEndian
        withUnsafeBytes(of: &v) { out.append(contentsOf: $0) }
    }

    /// A JSON string literal with the escapes JSON requires.
    private static func jsonString(_ s: String) -> String { JSONString.quoted(s) }
}

extension Module {
    /// Saves the parameters (by `state_dict` name) and metadata as a safetensors checkpoint.
    public func save(to url: URL, metadata: [String: String] = [:]) throws(SafeTensorsError) {
        try SafeTensors.save(stateDict(), metadata: metadata, to: url)
    }
}
