import Foundation
import GymCore
import ImageFormats
import Testing

/// Decodes the GIFs the encoder writes (a minimal GIF reader with its own LZW decoder) and
/// compares every pixel with the frames that went in.
@Suite struct GIFEncoderTests {
    @Test func fewColoursRoundTripExactly() throws {
        let frames = (0..<5).map { index -> RGBFrame in
            var frame = RGBFrame(width: 37, height: 23, fill: .white)
            for x in 0..<37 { for y in 0..<23 where (x + y + index) % 7 == 0 { frame[x: x, y: y] = RGB(200, 60, UInt8(index * 40)) } }
            return frame
        }
        let decoded = try GIFReader.decode(try GIFEncoder.encode(frames, delayCentiseconds: 3))
        #expect(decoded.delays == Array(repeating: 3, count: 5))
        #expect(decoded.frames == frames)
    }

    @Test func manyColoursMapToTheColourCubeAndCompressPastTheCodeTableLimit() throws {
        // 256 × 256 distinct colours: more than one palette can hold, and enough pixels to
        // fill the 4096-entry code table several times.
        var frame = RGBFrame(width: 256, height: 256)
        for x in 0..<256 { for y in 0..<256 { frame[x: x, y: y] = RGB(UInt8(x), UInt8(y), UInt8((x * y) & 0xFF)) } }
        let decoded = try GIFReader.decode(try GIFEncoder.encode([frame], delayCentiseconds: 2))
        let out = try #require(decoded.frames.first)
        var worst = 0
        for x in stride(from: 0, to: 256, by: 5) {
            for y in stride(from: 0, to: 256, by: 5) {
                let a = frame[x: x, y: y], b = out[x: x, y: y]
                worst = max(worst, abs(Int(a.r) - Int(b.r)), abs(Int(a.g) - Int(b.g)), abs(Int(a.b) - Int(b.b)))
            }
        }
        // Cube steps are 51 (red, blue) and 42.5 (green): nearest is within half a step.
        #expect(worst <= 26)
    }

    @Test func refusesFramesOfDifferentSizes() {
        #expect(throws: GymError.self) {
            try GIFEncoder.encode([RGBFrame(width: 2, height: 2), RGBFrame(width: 3, height: 2)], delayCentiseconds: 1)
        }
        #expect(throws: GymError.self) { try GIFEncoder.encode([], delayCentiseconds: 1) }
    }
}

/// Just enough of a GIF decoder to check the encoder: global palette, graphic control delays,
/// full-size frames, LZW.
enum GIFReader {
    struct Decoded {
        var frames: [RGBFrame] = []
        var delays: [Int] = []
    }

    struct Malformed: Error {}

    static func decode(_ bytes: [UInt8]) throws -> Decoded {
        guard bytes.count > 13, Array(bytes[0..<6]) == Array("GIF89a".utf8) else { throw Malformed() }
        let width = Int(bytes[6]) | Int(bytes[7]) << 8, height = Int(bytes[8]) | Int(bytes[9]) << 8
        let tableSize = 2 << Int(bytes[10] & 7)
        let palette = Array(bytes[13..<(13 + tableSize * 3)])
        var at = 13 + tableSize * 3
        var result = Decoded()
        func subBlocks() -> [UInt8] {
            var data: [UInt8] = []
            while bytes[at] != 0 {
                let size = Int(bytes[at])
                data += bytes[(at + 1)..<(at + 1 + size)]
                at += size + 1
            }
            at += 1
            return data
        }
        while at < bytes.count {
            switch bytes[at] {
            case 0x21:
                let label = bytes[at + 1]
                if label == 0xF9 { result.delays.append(Int(bytes[at + 4]) | Int(bytes[at + 5]) << 8) }
                at += 2
                _ = subBlocks()
            case 0x2C:
                at += 10
                let minimum = Int(bytes[at])
                at += 1
                let indices = try lzw(subBlocks(), minimumCodeSize: minimum, count: width * height)
                var pixels = [UInt8](repeating: 0, count: width * height * 3)
                for (pixel, index) in indices.enumerated() {
                    for channel in 0..<3 { pixels[pixel * 3 + channel] = palette[Int(index) * 3 + channel] }
                }
                guard let frame = RGBFrame(width: width, height: height, pixels: pixels) else { throw Malformed() }
                result.frames.append(frame)
            case 0x3B:
                return result
            default:
                throw Malformed()
            }
        }
        throw Malformed()
    }

    static func lzw(_ data: [UInt8], minimumCodeSize: Int, count: Int) throws -> [UInt8] {
        let clear = 1 << minimumCodeSize, end = clear + 1
        var table: [[UInt8]] = []
        func reset() { table = (0..<clear).map { [UInt8($0)] } + [[], []] }
        reset()
        var size = minimumCodeSize + 1
        var bitPosition = 0
        var out: [UInt8] = []
        var previous: [UInt8]?
        while bitPosition + size <= data.count * 8 {
            var code = 0
            for bit in 0..<size where data[(bitPosition + bit) / 8] & (1 << ((bitPosition + bit) % 8)) != 0 { code |= 1 << bit }
            bitPosition += size
            if code == clear { reset(); size = minimumCodeSize + 1; previous = nil; continue }
            if code == end { break }
            let entry: [UInt8]
            if code < table.count {
                entry = table[code]
            } else if let previous, code == table.count {
                entry = previous + [previous[0]]
            } else {
                throw Malformed()
            }
            out += entry
            if let previous, table.count < 4096 { table.append(previous + [entry[0]]) }
            previous = entry
            if table.count == 1 << size && size < 12 { size += 1 }
        }
        guard out.count == count else { throw Malformed() }
        return out
    }
}
