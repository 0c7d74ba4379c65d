/// An 8-bit-per-channel colour.
public struct RGB: Sendable, Equatable, Hashable {
    /// Red channel.
    public var r: UInt8
    /// Green channel.
    public var g: UInt8
    /// Blue channel.
    public var b: UInt8

    /// Creates a colour from labelled channels.
    public init(r: UInt8, g: UInt8, b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    /// Creates a colour from channels in `r, g, b` order, so Gymnasium's colour tuples port verbatim.
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.init(r: r, g: g, b: b)
    }

    /// `(255, 255, 255)`.
    public static let white = RGB(255, 255, 255)
    /// `(0, 0, 0)`.
    public static let black = RGB(0, 0, 0)
    /// `(255, 0, 0)`.
    public static let red = RGB(255, 0, 0)
    /// `(0, 255, 0)`.
    public static let green = RGB(0, 255, 0)
    /// `(0, 0, 255)`.
    public static let blue = RGB(0, 0, 255)
    /// `(128, 128, 128)`.
    public static let gray = RGB(128, 128, 128)
}
