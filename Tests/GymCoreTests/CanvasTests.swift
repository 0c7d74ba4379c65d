import CZlib
import Testing
import ImageFormats

@testable import GymCore

private let ink = RGB(200, 50, 10)

/// Pixels of `canvas` equal to `color`, as a set of `(x, y)` pairs flattened to `y * width + x`.
private func painted(_ canvas: Canvas, _ color: RGB = ink) -> Set<Int> {
    var result = Set<Int>()
    for y in 0..<canvas.height {
        for x in 0..<canvas.width where canvas.frame[x: x, y: y] == color {
            result.insert(y * canvas.width + x)
        }
    }
    return result
}

@Suite struct RGBFrameTests {
    @Test func fillAndSubscript() {
        var frame = RGBFrame(width: 4, height: 3, fill: RGB(1, 2, 3))
        #expect(frame.pixels.count == 36)
        #expect(frame[x: 3, y: 2] == RGB(1, 2, 3))
        frame[x: 1, y: 2] = .white
        #expect(Array(frame.pixels[27..<30]) == [255, 255, 255])
        #expect(frame.pixel(x: 4, y: 0) == nil)
        #expect(RGBFrame(width: 2, height: 2, pixels: [0, 0, 0]) == nil)
    }
}

@Suite struct CanvasTests {
    @Test func filledRectCoversExactlyItsPixels() {
        var canvas = Canvas(width: 10, height: 8)
        canvas.fillRect(x: 2, y: 3, width: 4, height: 2, color: ink)
        var expected = Set<Int>()
        for y in 3..<5 { for x in 2..<6 { expected.insert(y * 10 + x) } }
        #expect(painted(canvas) == expected)
    }

    @Test func fractionalRectUsesPixelCentres() {
        var canvas = Canvas(width: 10, height: 10)
        // Centres 2.5 and 3.5 lie in [2.4, 3.6); 4.5 does not.
        canvas.fillRect(x: 2.4, y: 2.4, width: 1.2, height: 1.2, color: ink)
        #expect(painted(canvas) == [22, 23, 32, 33])
    }

    @Test func triangleFillsInsideOnly() {
        var canvas = Canvas(width: 20, height: 20)
        canvas.fillPolygon([(2, 2), (18, 2), (2, 18)], color: ink)
        #expect(canvas.frame[x: 3, y: 3] == ink)
        #expect(canvas.frame[x: 8, y: 8] == ink)
        #expect(canvas.frame[x: 15, y: 2] == ink)
        #expect(canvas.frame[x: 12, y: 12] == .white)  // beyond the hypotenuse
        #expect(canvas.frame[x: 1, y: 5] == .white)
        #expect(canvas.frame[x: 5, y: 18] == .white)
        // Area 128; the 16 centres lying exactly on the hypotenuse are outside (right edges are exclusive).
        #expect(painted(canvas).count == 120)
    }

    @Test func concaveLShapeLeavesNotchEmpty() {
        var canvas = Canvas(width: 12, height: 12)
        // An L: 10×10 square at (1,1) minus a 6×4 notch at its top right.
        canvas.fillPolygon([(1, 1), (5, 1), (5, 5), (11, 5), (11, 11), (1, 11)], color: ink)
        #expect(canvas.frame[x: 2, y: 2] == ink)  // vertical bar
        #expect(canvas.frame[x: 9, y: 9] == ink)  // horizontal bar
        #expect(canvas.frame[x: 4, y: 4] == ink)
        #expect(canvas.frame[x: 5, y: 4] == .white)  // notch
        #expect(canvas.frame[x: 8, y: 2] == .white)
        #expect(canvas.frame[x: 10, y: 4] == .white)
        #expect(canvas.frame[x: 0, y: 6] == .white)  // outside
        #expect(painted(canvas).count == 100 - 24)
    }

    @Test func concaveUShapeFillsTwoSpansPerRow() {
        var canvas = Canvas(width: 12, height: 12)
        // Rows 1...6 cross four edges, so filling from first to last crossing would close the gap.
        canvas.fillPolygon([(1, 1), (4, 1), (4, 7), (7, 7), (7, 1), (10, 1), (10, 10), (1, 10)], color: ink)
        #expect(canvas.frame[x: 2, y: 3] == ink)
        #expect(canvas.frame[x: 8, y: 3] == ink)
        #expect(canvas.frame[x: 5, y: 3] == .white)
        #expect(canvas.frame[x: 6, y: 6] == .white)
        #expect(canvas.frame[x: 5, y: 7] == ink)
        #expect(painted(canvas).count == 81 - 18)
    }

    @Test func vertexOnAPixelCentreRowIsCountedOnce() {
        var canvas = Canvas(width: 12, height: 12)
        // The side vertices sit exactly on row 5's centre line, where a sloppy crossing test
        // would count them zero or two times and drop the row.
        canvas.fillPolygon([(5, 0.5), (9, 5.5), (5, 10.5), (1, 5.5)], color: ink)
        #expect(painted(canvas).filter { $0 / 12 == 5 } == Set((1...8).map { 60 + $0 }))
        // Apexes touch their rows' centre lines at a single point, which covers no pixel centre.
        #expect(painted(canvas).filter { $0 / 12 == 0 || $0 / 12 == 10 }.isEmpty)
        #expect(painted(canvas).filter { $0 / 12 == 1 } == Set([16, 17]))
        #expect(canvas.frame[x: 1, y: 4] == .white)
    }

    @Test func circleAreaMatchesPiRSquared() {
        for radius in [10.0, 25.0, 40.5] {
            var canvas = Canvas(width: 100, height: 100)
            canvas.fillCircle(center: (50, 50), radius: radius, color: ink)
            let area = Double(painted(canvas).count)
            let ideal = Double.pi * radius * radius
            #expect(abs(area - ideal) / ideal < 0.02, "radius \(radius): \(area) vs \(ideal)")
        }
    }

    @Test func strokeCircleIsARing() {
        var canvas = Canvas(width: 60, height: 60)
        canvas.strokeCircle(center: (30, 30), radius: 20, thickness: 3, color: ink)
        #expect(canvas.frame[x: 30, y: 30] == .white)
        #expect(canvas.frame[x: 48, y: 30] == ink)
        #expect(canvas.frame[x: 30, y: 11] == ink)
        #expect(canvas.frame[x: 51, y: 30] == .white)
        let ideal = Double.pi * (20.0 * 20.0 - 17.0 * 17.0)
        #expect(abs(Double(painted(canvas).count) - ideal) / ideal < 0.05)
    }

    @Test func thickLineIsAQuad() {
        var canvas = Canvas(width: 20, height: 20)
        canvas.line(from: (2, 10), to: (18, 10), thickness: 4, color: ink)
        var expected = Set<Int>()
        for y in 8..<12 { for x in 2..<18 { expected.insert(y * 20 + x) } }
        #expect(painted(canvas) == expected)

        var diagonal = Canvas(width: 20, height: 20)
        diagonal.line(from: (0, 0), to: (20, 20), thickness: 1, color: ink)
        // Gap-free: every row of a 45° line of thickness 1 has at least one pixel.
        for y in 0..<20 {
            #expect((0..<20).contains { diagonal.frame[x: $0, y: y] == ink }, "row \(y) empty")
        }
    }

    @Test func horizontalLinePaintsOneRow() {
        var canvas = Canvas(width: 10, height: 5)
        canvas.horizontalLine(y: 2.7, x0: 8, x1: 1, color: ink)
        #expect(painted(canvas) == Set((1..<8).map { 20 + $0 }))
    }

    @Test func shapesAreClippedToTheFrame() {
        var canvas = Canvas(width: 10, height: 10)
        canvas.fillRect(x: -5, y: 7, width: 8, height: 100, color: ink)
        var expected = Set<Int>()
        for y in 7..<10 { for x in 0..<3 { expected.insert(y * 10 + x) } }
        #expect(painted(canvas) == expected)

        var circle = Canvas(width: 10, height: 10)
        circle.fillCircle(center: (0, 0), radius: 5, color: ink)
        #expect(circle.frame[x: 0, y: 0] == ink)
        #expect(circle.frame[x: 5, y: 5] == .white)
        let quarter = Double.pi * 25 / 4
        #expect(abs(Double(painted(circle).count) - quarter) <= 3)

        var polygon = Canvas(width: 10, height: 10)
        polygon.fillPolygon([(-20, -20), (30, -20), (30, 5), (-20, 5)], color: ink)
        #expect(painted(polygon).count == 50)

        // Extreme and non-finite input must neither trap nor paint.
        var wild = Canvas(width: 10, height: 10)
        wild.fillRect(x: -1e300, y: -1e300, width: 2e300, height: 1e300, color: ink)
        #expect(painted(wild).count == 0)
        wild.fillPolygon([(.nan, 0), (5, 5), (0, 5)], color: ink)
        wild.line(from: (0, 0), to: (.infinity, 3), thickness: 2, color: ink)
        wild.fillCircle(center: (.nan, 1), radius: 3, color: ink)
        wild.fillCircle(center: (1e18, 1e18), radius: 1e17, color: ink)
        #expect(painted(wild).count == 0)
    }

    @Test func flippedVerticallyReversesRows() {
        var canvas = Canvas(width: 3, height: 4)
        canvas.horizontalLine(y: 0, x0: 0, x1: 3, color: ink)
        canvas.frame[x: 1, y: 1] = .blue
        let flipped = canvas.flippedVertically()
        #expect(painted(flipped) == [9, 10, 11])
        #expect(flipped.frame[x: 1, y: 2] == .blue)
        #expect(flipped.flippedVertically() == canvas)
        var inPlace = canvas
        inPlace.flipVertically()
        #expect(inPlace == flipped)
    }
}

@Suite struct PNGEncoderTests {
    private struct Chunk {
        var type: String
        var data: [UInt8]
    }

    private func bigEndian(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// A deliberately independent PNG reader: chunks, CRCs, zlib `uncompress`, filter-0 rows only.
    private func decode(_ png: [UInt8]) throws -> (width: Int, height: Int, header: [UInt8], pixels: [UInt8]) {
        try #require(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var chunks: [Chunk] = []
        var offset = 8
        while offset < png.count {
            try #require(offset + 12 <= png.count)
            let length = Int(bigEndian(png[offset..<(offset + 4)]))
            let body = Array(png[(offset + 4)..<(offset + 8 + length)])
            let storedCRC = bigEndian(png[(offset + 8 + length)..<(offset + 12 + length)])
            let crc = body.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
            #expect(UInt32(crc) == storedCRC)
            chunks.append(Chunk(type: String(decoding: body[0..<4], as: UTF8.self), data: Array(body[4...])))
            offset += 12 + length
        }
        #expect(offset == png.count)
        try #require(chunks.first?.type == "IHDR")
        #expect(chunks.last?.type == "IEND")
        #expect(chunks.last?.data.isEmpty == true)
        let header = try #require(chunks.first?.data)
        try #require(header.count == 13)
        let width = Int(bigEndian(header[0..<4]))
        let height = Int(bigEndian(header[4..<8]))

        let stream = chunks.filter { $0.type == "IDAT" }.flatMap(\.data)
        var inflated = [UInt8](repeating: 0, count: height * (1 + width * 3))
        var inflatedLength = uLong(inflated.count)
        let status = stream.withUnsafeBufferPointer { source in
            inflated.withUnsafeMutableBufferPointer { destination in
                uncompress(destination.baseAddress, &inflatedLength, source.baseAddress, uLong(source.count))
            }
        }
        try #require(status == Z_OK)
        try #require(Int(inflatedLength) == inflated.count)

        var pixels: [UInt8] = []
        for row in 0..<height {
            let start = row * (1 + width * 3)
            #expect(inflated[start] == 0, "row \(row) filter type")
            pixels += inflated[(start + 1)...(start + width * 3)]
        }
        return (width, height, header, pixels)
    }

    @Test func roundTrip() throws {
        var canvas = Canvas(width: 7, height: 5, background: RGB(10, 20, 30))
        canvas.fillCircle(center: (3.5, 2.5), radius: 2, color: ink)
        for x in 0..<7 { canvas.frame[x: x, y: 4] = RGB(UInt8(x * 30), UInt8(255 - x), 7) }
        let png = try PNGEncoder.encode(canvas.frame)
        let decoded = try decode(png)
        #expect(decoded.width == 7)
        #expect(decoded.height == 5)
        #expect(Array(decoded.header[8...]) == [8, 2, 0, 0, 0])  // depth, RGB, deflate, filter, no interlace
        #expect(decoded.pixels == canvas.frame.pixels)
    }

    @Test func rejectsEmptyFrame() {
        #expect(throws: ImageFormatError.invalidDimensions(width: 0, height: 3)) {
            try PNGEncoder.encode(RGBFrame(width: 0, height: 3))
        }
    }

    @Test func rejectsMismatchedPixelCount() {
        var frame = RGBFrame(width: 2, height: 2)
        frame.pixels.removeLast()
        #expect(throws: ImageFormatError.pixelCountMismatch(expected: 12, actual: 11)) {
            try PNGEncoder.encode(frame)
        }
    }
}
