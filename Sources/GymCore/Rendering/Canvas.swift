/// A software rasterizer over an `RGBFrame`, standing in for the pygame drawing calls Gymnasium uses.
///
/// Coordinates are continuous pixel units: pixel `(i, j)` covers `[i, i+1) × [j, j+1)`, and a shape
/// paints exactly the pixels whose centres `(i + 0.5, j + 0.5)` it contains. Edges are half-open
/// (left/top inclusive), so shapes that share an edge neither overlap nor leave a gap, and a rectangle
/// with integer corners covers exactly the pixels pygame's `Rect` would. Everything is clipped to the
/// frame; shapes with non-finite coordinates draw nothing.
public struct Canvas: Sendable, Equatable {
    /// A position in pixel coordinates.
    public typealias Point = (x: Double, y: Double)

    /// The image being drawn on.
    public var frame: RGBFrame

    /// Frame width in pixels.
    public var width: Int { frame.width }
    /// Frame height in pixels.
    public var height: Int { frame.height }

    /// Draws on top of an existing frame.
    public init(frame: RGBFrame) {
        self.frame = frame
    }

    /// Creates a blank canvas; white matches Gymnasium's `surf.fill((255, 255, 255))`.
    public init(width: Int, height: Int, background: RGB = .white) {
        self.frame = RGBFrame(width: width, height: height, fill: background)
    }

    /// Paints every pixel.
    public mutating func fill(_ color: RGB) {
        for row in 0..<height {
            fillSpan(row: row, columns: 0..<width, color: color)
        }
    }

    /// Fills the axis-aligned rectangle `[x, x + width) × [y, y + height)`; negative sizes extend left/up.
    public mutating func fillRect(x: Double, y: Double, width: Double, height: Double, color: RGB) {
        let (x0, x1) = width < 0 ? (x + width, x) : (x, x + width)
        let (y0, y1) = height < 0 ? (y + height, y) : (y, y + height)
        guard x0.isFinite, x1.isFinite, y0.isFinite, y1.isFinite else { return }
        let columns = columnRange(x0, x1)
        for row in rowRange(y0, y1) {
            fillSpan(row: row, columns: columns, color: color)
        }
    }

    /// Paints the one-pixel row containing `y`, from `x0` to `x1` in either order (like `gfxdraw.hline`).
    public mutating func horizontalLine(y: Double, x0: Double, x1: Double, color: RGB) {
        guard y.isFinite else { return }
        let row = y.rounded(.down)
        fillRect(x: min(x0, x1), y: row, width: abs(x1 - x0), height: 1, color: color)
    }

    /// Draws a straight segment with flat ends, as a filled quad `thickness` pixels across.
    ///
    /// A `thickness` of at least 1 leaves no gaps; a zero-length segment paints a `thickness`-wide square.
    public mutating func line(from start: Point, to end: Point, thickness: Double = 1, color: RGB) {
        guard thickness > 0, thickness.isFinite else { return }
        let dx = end.x - start.x
        let dy = end.y - start.y
        let length = (dx * dx + dy * dy).squareRoot()
        guard length.isFinite else { return }
        let half = thickness / 2
        guard length > 0 else {
            fillRect(x: start.x - half, y: start.y - half, width: thickness, height: thickness, color: color)
            return
        }
        let nx = -dy / length * half
        let ny = dx / length * half
        fillPolygon(
            [
                (start.x + nx, start.y + ny), (end.x + nx, end.y + ny),
                (end.x - nx, end.y - ny), (start.x - nx, start.y - ny),
            ],
            color: color)
    }

    /// Fills a polygon (convex, concave or self-intersecting) with the even-odd rule, as
    /// `gfxdraw.filled_polygon` does; the closing edge back to the first point is implied.
    public mutating func fillPolygon(_ points: [Point], color: RGB) {
        guard points.count >= 3 else { return }
        var minY = Double.infinity
        var maxY = -Double.infinity
        for p in points {
            guard p.x.isFinite, p.y.isFinite else { return }
            minY = min(minY, p.y)
            maxY = max(maxY, p.y)
        }
        // One buffer for all rows keeps the scanline loop allocation-free.
        var crossings: [Double] = []
        crossings.reserveCapacity(points.count)
        for row in rowRange(minY, maxY) {
            let y = Double(row) + 0.5
            crossings.removeAll(keepingCapacity: true)
            var previous = points[points.count - 1]
            for current in points {
                // Half-open in y, so a vertex on the scanline counts once and horizontal edges never.
                if (previous.y <= y) != (current.y <= y) {
                    let t = (y - previous.y) / (current.y - previous.y)
                    crossings.append(previous.x + t * (current.x - previous.x))
                }
                previous = current
            }
            crossings.sort()
            var i = 0
            while i + 1 < crossings.count {
                fillSpan(row: row, columns: columnRange(crossings[i], crossings[i + 1]), color: color)
                i += 2
            }
        }
    }

    /// Fills the disc of `radius` around `center`; its area in pixels approximates πr².
    public mutating func fillCircle(center: Point, radius: Double, color: RGB) {
        strokeCircle(center: center, radius: radius, thickness: radius, color: color)
    }

    /// Draws a ring whose outer edge is `radius` and which extends `thickness` inwards,
    /// as `pygame.draw.circle(..., width)` does.
    public mutating func strokeCircle(center: Point, radius: Double, thickness: Double = 1, color: RGB) {
        guard center.x.isFinite, center.y.isFinite, radius.isFinite, thickness.isFinite,
            radius > 0, thickness > 0
        else { return }
        let inner = max(radius - thickness, 0)
        let outerSquared = radius * radius
        let innerSquared = inner * inner
        for row in rowRange(center.y - radius, center.y + radius) {
            let dy = Double(row) + 0.5 - center.y
            let dySquared = dy * dy
            guard dySquared < outerSquared else { continue }
            let outerHalf = (outerSquared - dySquared).squareRoot()
            let left = center.x - outerHalf
            let right = center.x + outerHalf
            if dySquared < innerSquared {
                let innerHalf = (innerSquared - dySquared).squareRoot()
                fillSpan(row: row, columns: columnRange(left, center.x - innerHalf), color: color)
                fillSpan(row: row, columns: columnRange(center.x + innerHalf, right), color: color)
            } else {
                fillSpan(row: row, columns: columnRange(left, right), color: color)
            }
        }
    }

    /// The canvas with its rows reversed, turning a y-up drawing into a top-row-first image.
    public func flippedVertically() -> Canvas {
        Canvas(frame: frame.flippedVertically())
    }

    /// Reverses the rows in place; cheaper than `flippedVertically()` when the y-up drawing is not kept.
    public mutating func flipVertically() {
        frame.flipVertically()
    }

    // MARK: - Rasterization

    /// Indices of the pixels whose centres lie in `[low, high)`, clipped to `0..<limit`.
    ///
    /// Clamping happens in floating point because converting a huge or NaN `Double` to `Int` traps.
    @inline(__always)
    private static func centres(_ low: Double, _ high: Double, limit: Int) -> Range<Int> {
        let first = firstCentre(atOrAfter: low, limit: limit)
        let end = firstCentre(atOrAfter: high, limit: limit)
        return first < end ? first..<end : first..<first
    }

    @inline(__always)
    private static func firstCentre(atOrAfter value: Double, limit: Int) -> Int {
        let index = (value - 0.5).rounded(.up)
        guard index > 0 else { return 0 }
        guard index < Double(limit) else { return limit }
        return Int(index)
    }

    @inline(__always)
    private func columnRange(_ low: Double, _ high: Double) -> Range<Int> {
        Self.centres(low, high, limit: width)
    }

    @inline(__always)
    private func rowRange(_ low: Double, _ high: Double) -> Range<Int> {
        Self.centres(low, high, limit: height)
    }

    /// Paints `columns` of `row`; callers pass ranges already clipped to the frame.
    @inline(__always)
    private mutating func fillSpan(row: Int, columns: Range<Int>, color: RGB) {
        guard !columns.isEmpty else { return }
        let start = (row * frame.width + columns.lowerBound) * RGBFrame.bytesPerPixel
        let end = (row * frame.width + columns.upperBound) * RGBFrame.bytesPerPixel
        frame.pixels.withUnsafeMutableBufferPointer { buffer in
            RGBFrame.paint(color, into: UnsafeMutableBufferPointer(rebasing: buffer[start..<end]))
        }
    }
}
