
/// A packed RGB image: row-major, top row first, three bytes (`r, g, b`) per pixel.
///
/// This is the layout of Gymnasium's `rgb_array` render mode (`height × width × 3`, `uint8`),
/// so frames can be shipped to clients without repacking.
public struct RGBFrame: Sendable, Equatable {
    /// Bytes per pixel in `pixels`.
    public static let bytesPerPixel = 3

    /// Number of columns.
    public let width: Int
    /// Number of rows.
    public let height: Int
    /// Pixel bytes; code that replaces this array must keep `count == width * height * 3`.
    public var pixels: [UInt8]

    /// Creates a frame with every pixel set to `fill`.
    public init(width: Int, height: Int, fill: RGB = .black) {
        precondition(width >= 0 && height >= 0, "RGBFrame dimensions must be non-negative")
        self.width = width
        self.height = height
        let count = width * height * Self.bytesPerPixel
        // Skips zero-filling a buffer that is about to be overwritten; `paint` may write
        // uninitialized memory because UInt8 is a trivial type.
        pixels = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            Self.paint(fill, into: buffer)
            initialized = count
        }
    }

    /// Wraps existing bytes; returns `nil` when the byte count does not match the dimensions.
    public init?(width: Int, height: Int, pixels: [UInt8]) {
        guard width >= 0, height >= 0 else { return nil }
        let (area, o1) = width.multipliedReportingOverflow(by: height)
        let (count, o2) = area.multipliedReportingOverflow(by: Self.bytesPerPixel)
        guard !o1, !o2, count == pixels.count else { return nil }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Whether `(x, y)` names a pixel inside the frame.
    public func contains(x: Int, y: Int) -> Bool {
        x >= 0 && x < width && y >= 0 && y < height
    }

    /// The pixel in column `x`, row `y` (row 0 is the top); traps when out of bounds.
    public subscript(x x: Int, y y: Int) -> RGB {
        get {
            precondition(contains(x: x, y: y), "pixel (\(x), \(y)) outside \(width)×\(height) frame")
            let i = (y * width + x) * Self.bytesPerPixel
            return RGB(pixels[i], pixels[i + 1], pixels[i + 2])
        }
        set {
            precondition(contains(x: x, y: y), "pixel (\(x), \(y)) outside \(width)×\(height) frame")
            let i = (y * width + x) * Self.bytesPerPixel
            pixels[i] = newValue.r
            pixels[i + 1] = newValue.g
            pixels[i + 2] = newValue.b
        }
    }

    /// The pixel at `(x, y)`, or `nil` outside the frame.
    public func pixel(x: Int, y: Int) -> RGB? {
        contains(x: x, y: y) ? self[x: x, y: y] : nil
    }

    /// The same image with its rows in reverse order.
    ///
    /// Environments draw with y pointing up, as Gymnasium does, and flip once at the end;
    /// `flipVertically()` does the same without a second buffer.
    public func flippedVertically() -> RGBFrame {
        let rowBytes = width * Self.bytesPerPixel
        let flipped = [UInt8](unsafeUninitializedCapacity: pixels.count) { destination, initialized in
            pixels.withUnsafeBufferPointer { source in
                for row in 0..<height {
                    let from = UnsafeBufferPointer(rebasing: source[(row * rowBytes)..<((row + 1) * rowBytes)])
                    let to = (height - 1 - row) * rowBytes
                    _ = UnsafeMutableBufferPointer(rebasing: destination[to..<(to + rowBytes)])
                        .initialize(fromContentsOf: from)
                }
            }
            initialized = pixels.count
        }
        return RGBFrame(validatedWidth: width, height: height, pixels: flipped)
    }

    /// Reverses the row order in place, without allocating a second frame.
    public mutating func flipVertically() {
        let rowBytes = width * Self.bytesPerPixel
        let height = height
        guard rowBytes > 0, height > 1 else { return }
        pixels.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: rowBytes) { scratch in
                guard let temp = scratch.baseAddress else { return }
                for row in 0..<(height / 2) {
                    let top = base + row * rowBytes
                    let bottom = base + (height - 1 - row) * rowBytes
                    temp.update(from: top, count: rowBytes)
                    top.update(from: bottom, count: rowBytes)
                    bottom.update(from: temp, count: rowBytes)
                }
            }
        }
    }

    private init(validatedWidth width: Int, height: Int, pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Writes `color` into every pixel of `buffer`, whose count must be a multiple of 3.
    ///
    /// Grey becomes a memset; other colours are doubled with memcpy, several times faster than
    /// storing three bytes per pixel in a loop on full-width spans.
    @inline(__always)
    static func paint(_ color: RGB, into buffer: UnsafeMutableBufferPointer<UInt8>) {
        guard let base = buffer.baseAddress, buffer.count >= bytesPerPixel else { return }
        if color.r == color.g && color.g == color.b {
            buffer.update(repeating: color.r)
            return
        }
        base[0] = color.r
        base[1] = color.g
        base[2] = color.b
        var filled = bytesPerPixel
        while filled < buffer.count {
            let chunk = min(filled, buffer.count - filled)
            (base + filled).update(from: base, count: chunk)
            filled += chunk
        }
    }
}
