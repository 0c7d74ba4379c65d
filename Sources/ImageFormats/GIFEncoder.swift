import Foundation
import GymCore

/// Animated GIF (GIF89a) files from RGB frames: one global palette, LZW-compressed frames, an
/// endless loop.
///
/// The palette holds the frames' exact colours when there are at most 256 of them (classic
/// control renders use a handful); otherwise colours map to a fixed 6×7×6 colour cube.
public enum GIFEncoder {
    /// Encodes `frames` (all the same size), each shown for `delayCentiseconds`.
    public static func encode(_ frames: [RGBFrame], delayCentiseconds: Int) throws -> [UInt8] {
        guard let first = frames.first else { throw GymError(.invalidArgument, "a GIF needs at least one frame") }
        guard first.width > 0, first.height > 0, first.width <= 65535, first.height <= 65535 else {
            throw GymError(.invalidArgument, "GIF frames must be 1 to 65535 pixels wide and high, got \(first.width)×\(first.height)")
        }
        guard frames.allSatisfy({ $0.width == first.width && $0.height == first.height }) else {
            throw GymError(.invalidArgument, "every GIF frame must be \(first.width)×\(first.height)")
        }
        let palette = Palette(frames)
        var out: [UInt8] = Array("GIF89a".utf8)
        appendLittleEndian16(first.width, to: &out)
        appendLittleEndian16(first.height, to: &out)
        out += [0xF7, 0, 0]  // global colour table of 256 entries, 8 bits per channel
        out += palette.table
        // NETSCAPE2.0 extension: loop forever.
        out += [0x21, 0xFF, 0x0B] + Array("NETSCAPE2.0".utf8) + [0x03, 0x01, 0x00, 0x00, 0x00]
        let delay = max(1, min(65535, delayCentiseconds))
        var indices = [UInt8](repeating: 0, count: first.width * first.height)
        for frame in frames {
            out += [0x21, 0xF9, 0x04, 0x04]  // graphic control: disposal "leave in place", no transparency
            appendLittleEndian16(delay, to: &out)
            out += [0x00, 0x00]
            out += [0x2C, 0, 0, 0, 0]  // image descriptor at (0, 0)
            appendLittleEndian16(frame.width, to: &out)
            appendLittleEndian16(frame.height, to: &out)
            out.append(0)  // no local colour table, not interlaced
            palette.index(frame, into: &indices)
            out.append(8)  // LZW minimum code size
            LZW.compress(indices, into: &out)
        }
        out.append(0x3B)
        return out
    }

    /// Writes an animated GIF file.
    public static func write(_ frames: [RGBFrame], delayCentiseconds: Int, to path: String) throws {
        let bytes = try encode(frames, delayCentiseconds: delayCentiseconds)
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw GymError(.internalError, "could not write \(path)")
        }
    }

    private static func appendLittleEndian16(_ value: Int, to out: inout [UInt8]) {
        out.append(UInt8(value & 0xFF))
        out.append(UInt8((value >> 8) & 0xFF))
    }

    /// The colours of the animation and the mapping from pixels to palette indices.
    struct Palette {
        private(set) var table: [UInt8]
        private let exact: [UInt32: UInt8]?

        init(_ frames: [RGBFrame]) {
            var colours: [UInt32: UInt8] = [:]
            var overflow = false
            outer: for frame in frames {
                var last: UInt32 = .max
                let count = frame.width * frame.height
                for pixel in 0..<count {
                    let key = Self.key(frame.pixels, pixel * 3)
                    if key == last { continue }
                    last = key
                    if colours[key] == nil {
                        if colours.count == 256 { overflow = true; break outer }
                        colours[key] = UInt8(colours.count)
                    }
                }
            }
            table = [UInt8](repeating: 0, count: 768)
            if overflow {
                exact = nil
                for r in 0..<6 { for g in 0..<7 { for b in 0..<6 {
                    let index = (r * 7 + g) * 6 + b
                    table[index * 3] = UInt8(r * 255 / 5)
                    table[index * 3 + 1] = UInt8(g * 255 / 6)
                    table[index * 3 + 2] = UInt8(b * 255 / 5)
                } } }
            } else {
                exact = colours
                for (key, index) in colours {
                    table[Int(index) * 3] = UInt8(key >> 16)
                    table[Int(index) * 3 + 1] = UInt8((key >> 8) & 0xFF)
                    table[Int(index) * 3 + 2] = UInt8(key & 0xFF)
                }
            }
        }

        static func key(_ pixels: [UInt8], _ offset: Int) -> UInt32 {
            UInt32(pixels[offset]) << 16 | UInt32(pixels[offset + 1]) << 8 | UInt32(pixels[offset + 2])
        }

        func index(_ frame: RGBFrame, into indices: inout [UInt8]) {
            var lastKey: UInt32 = .max
            var lastIndex: UInt8 = 0
            for pixel in 0..<(frame.width * frame.height) {
                let key = Self.key(frame.pixels, pixel * 3)
                if key != lastKey {
                    lastKey = key
                    if let exact {
                        lastIndex = exact[key] ?? 0
                    } else {
                        let r = (Int(key >> 16) * 5 + 127) / 255
                        let g = (Int((key >> 8) & 0xFF) * 6 + 127) / 255
                        let b = (Int(key & 0xFF) * 5 + 127) / 255
                        lastIndex = UInt8((r * 7 + g) * 6 + b)
                    }
                }
                indices[pixel] = lastIndex
            }
        }
    }

    /// GIF's variable-width LZW (codes of 9 to 12 bits, least significant bit first), written
    /// as data sub-blocks of at most 255 bytes.
    enum LZW {
        static let clearCode = 256
        static let endCode = 257

        static func compress(_ indices: [UInt8], into out: inout [UInt8]) {
            var writer = BitWriter()
            // table[prefix * 256 + byte] = code of prefix followed by byte, or -1.
            var table = [Int16](repeating: -1, count: 4096 * 256)
            var codeSize = 9
            var maxCode = endCode
            writer.write(clearCode, bits: codeSize)
            guard var current = indices.first.map(Int.init) else {
                writer.write(endCode, bits: codeSize)
                writer.finish(into: &out)
                return
            }
            for byte in indices.dropFirst() {
                let key = current << 8 | Int(byte)
                let next = table[key]
                if next >= 0 {
                    current = Int(next)
                    continue
                }
                writer.write(current, bits: codeSize)
                maxCode += 1
                table[key] = Int16(maxCode)
                if maxCode >= 1 << codeSize { codeSize += 1 }
                if maxCode == 4095 {
                    writer.write(clearCode, bits: codeSize)
                    table.withUnsafeMutableBufferPointer { $0.update(repeating: -1) }
                    codeSize = 9
                    maxCode = endCode
                }
                current = Int(byte)
            }
            writer.write(current, bits: codeSize)
            writer.write(clearCode, bits: codeSize)
            writer.write(endCode, bits: 9)
            writer.finish(into: &out)
        }
    }

    struct BitWriter {
        private var bytes: [UInt8] = []
        private var buffer: UInt32 = 0
        private var count = 0

        mutating func write(_ code: Int, bits: Int) {
            buffer |= UInt32(code) << UInt32(count)
            count += bits
            while count >= 8 {
                bytes.append(UInt8(buffer & 0xFF))
                buffer >>= 8
                count -= 8
            }
        }

        mutating func finish(into out: inout [UInt8]) {
            if count > 0 { bytes.append(UInt8(buffer & 0xFF)) }
            var offset = 0
            while offset < bytes.count {
                let size = min(255, bytes.count - offset)
                out.append(UInt8(size))
                out += bytes[offset..<(offset + size)]
                offset += size
            }
            out.append(0)
        }
    }
}
