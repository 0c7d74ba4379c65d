import CZlib
import Foundation
import GymCore

/// The file written last into a checkpoint: the name, size and CRC-32 of every table file, so a
/// restore can tell a whole checkpoint from a truncated, corrupted or half-written one.
///
/// Its text is one header line, one line per file, and an end line holding the file count:
///
///     gym-buffer-checkpoint 1
///     table-0000.pb 1234 9a3f01c2
///     end 1
struct CheckpointManifest: Equatable {
    /// The manifest's name inside a checkpoint directory.
    static let fileName = "MANIFEST"
    static let header = "gym-buffer-checkpoint 1"
    /// Most table files a manifest may list (a service holds far fewer tables).
    static let maxFiles = 4096
    /// Largest manifest read, in bytes.
    static let maxBytes = 1 << 20

    /// One table file: its name, length in bytes and CRC-32.
    struct Entry: Equatable {
        var name: String
        var size: Int
        var crc: UInt32
    }

    var entries: [Entry]

    /// The CRC-32 (zlib's) of `bytes`.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            // zlib takes at most 4 GiB per call; feed it in pieces.
            var crc = CZlib.crc32(0, nil, 0)
            var offset = 0
            while offset < buffer.count {
                let run = min(buffer.count - offset, 1 << 30)
                crc = CZlib.crc32(crc, buffer.baseAddress?.advanced(by: offset), uInt(run))
                offset += run
            }
            return UInt32(truncatingIfNeeded: crc)
        }
    }

    /// The manifest's text.
    var text: String {
        ([Self.header] + entries.map { "\($0.name) \($0.size) \(String(format: "%08x", $0.crc))" } + ["end \(entries.count)"])
            .joined(separator: "\n") + "\n"
    }

    /// Reads a manifest's text; nil with why when it is not one.
    static func parse(_ bytes: [UInt8]) -> Result<CheckpointManifest, GymError> {
        func bad(_ why: String) -> Result<CheckpointManifest, GymError> { .failure(GymError(.malformed, "\(fileName) \(why)")) }
        guard bytes.count <= maxBytes else { return bad("is \(bytes.count) bytes, more than a manifest has") }
        guard let text = String(bytes: bytes, encoding: .utf8) else { return bad("is not text") }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.last == "" else { return bad("does not end with a newline (written only in part)") }
        lines.removeLast()
        guard lines.first == header else { return bad("does not start with \"\(header)\"") }
        // Every field in the one form `text` writes it: any other spelling is damage.
        guard let last = lines.last, last == "end \(lines.count - 2)", let count = Optional(lines.count - 2) else {
            return bad("has no end line counting its files (written only in part)")
        }
        guard count <= maxFiles else { return bad("lists \(count) files, more than \(maxFiles)") }
        var entries: [Entry] = []
        var names = Set<String>()
        for line in lines.dropFirst().dropLast() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 3, let size = Int(fields[1]), size >= 0, String(size) == fields[1],
                  let crc = UInt32(fields[2], radix: 16), String(format: "%08x", crc) == fields[2],
                  isTableFileName(String(fields[0])), names.insert(String(fields[0])).inserted else {
                return bad("has a malformed line: \(line.clippedForEcho())")
            }
            entries.append(Entry(name: String(fields[0]), size: size, crc: crc))
        }
        return .success(CheckpointManifest(entries: entries))
    }

    /// Whether `name` is a table file's name (`table-NNNN.pb`): never a path.
    static func isTableFileName(_ name: String) -> Bool {
        name.hasPrefix("table-") && name.hasSuffix(".pb") && name.count <= 64 && !name.contains("/") && name != "." && name != ".."
    }
}
