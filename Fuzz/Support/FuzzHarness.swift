// What every fuzz harness under Fuzz/ shares (scripts/fuzz): built with `-D FUZZING
// -sanitize=fuzzer,address` a harness is a libFuzzer binary; built normally it replays the files
// and directories it is given, so its committed corpus runs as an ordinary program in CI.
import Foundation

#if FUZZING
/// libFuzzer's entry for programs with a main of their own (SwiftPM gives every executable one).
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// libFuzzer's per-input entry (its archive's main refers to it, so every harness has one).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzHarness.runOne(data, size)
}
#endif

/// One harness: what it does with an input, and the well-formed inputs a run starts from.
public enum FuzzHarness {
    /// The harness's input handler; set once by `main` before libFuzzer calls back.
    nonisolated(unsafe) private static var input: (([UInt8]) -> Void)?

    /// Hands one libFuzzer input to the harness.
    static func runOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        guard let input else { return 0 }
        input(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }

    /// Runs the harness: `HARNESS --write-seeds DIR` writes `seeds` (name, bytes) into DIR;
    /// otherwise libFuzzer (fuzzing build) or a replay of every given file and directory.
    public static func main(seeds: () throws -> [(String, [UInt8])], run: @escaping ([UInt8]) -> Void) throws {
        let arguments = CommandLine.arguments
        if arguments.count == 3, arguments[1] == "--write-seeds" {
            try FileManager.default.createDirectory(atPath: arguments[2], withIntermediateDirectories: true)
            for (name, bytes) in try seeds() {
                FileManager.default.createFile(atPath: "\(arguments[2])/seed-\(name)", contents: Data(bytes))
            }
            return
        }
        #if FUZZING
        input = run
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in FuzzHarness.runOne(data, size) })
        #else
        for path in arguments.dropFirst() {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                FileHandle.standardError.write(Data("no such file or directory: \(path)\n".utf8))
                exit(1)
            }
            let files = isDirectory.boolValue
                ? try FileManager.default.contentsOfDirectory(atPath: path).filter { !$0.hasPrefix(".") }.sorted().map { "\(path)/\($0)" }
                : [path]
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                run([UInt8](data))
            }
            print("replayed \(files.count) input(s) from \(path)")
        }
        #endif
    }
}

/// An input cut into parts: `frames` splits it at 2-byte little-endian length prefixes (the
/// last part takes what is left), so one input can be several requests or events.
public enum FuzzFrames {
    /// At most this many frames are read from one input.
    public static let maxFrames = 64

    /// The frames of `bytes`.
    public static func split(_ bytes: [UInt8]) -> [[UInt8]] {
        var frames: [[UInt8]] = []
        var offset = 0
        while offset < bytes.count, frames.count < maxFrames {
            guard offset + 2 <= bytes.count else { frames.append(Array(bytes[offset...])); break }
            let length = Int(bytes[offset]) | Int(bytes[offset + 1]) << 8
            offset += 2
            let end = min(bytes.count, offset + length)
            frames.append(Array(bytes[offset..<end]))
            offset = end
        }
        return frames
    }

    /// `frames` joined with their length prefixes (the inverse of `split` for frames under 64 KiB).
    public static func join(_ frames: [[UInt8]]) -> [UInt8] {
        frames.flatMap { frame in [UInt8(frame.count & 0xFF), UInt8(frame.count >> 8 & 0xFF)] + frame.prefix(0xFFFF) }
    }
}

/// Reads fixed-width values off the front of an input, zero once it runs out.
public struct FuzzReader {
    private let bytes: [UInt8]
    private var offset = 0

    /// A reader over `bytes`.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Whether every byte was read.
    public var isAtEnd: Bool { offset >= bytes.count }

    /// The next byte, or 0.
    public mutating func byte() -> UInt8 {
        guard offset < bytes.count else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// The next `count` bytes as a little-endian integer.
    public mutating func integer<T: FixedWidthInteger>(_ type: T.Type = T.self) -> T {
        var value: T = 0
        for index in 0..<(T.bitWidth / 8) { value |= T(truncatingIfNeeded: byte()) << (index * 8) }
        return value
    }

    /// The next 8 bytes as a double's bit pattern.
    public mutating func double() -> Double { Double(bitPattern: integer(UInt64.self)) }

    /// A string of up to 255 bytes (its length first), possibly invalid UTF-8 made valid.
    public mutating func string() -> String {
        let count = Int(byte())
        return String(decoding: (0..<count).map { _ in byte() }, as: UTF8.self)
    }
}
