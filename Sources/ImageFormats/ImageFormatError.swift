/// Why an image could not be encoded or saved.
///
/// The code is a struct around a private enum (as `ZMQError.Code`), so a new code breaks no
/// caller's `switch`; the factories keep `throw .invalidDimensions(width:height:)` reading as
/// before. Two errors are equal when their code and message are.
public struct ImageFormatError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidDimensions, pixelCountMismatch, compressionFailed, writeFailed
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A dimension is outside what the format stores (PNG: `1...Int32.max`).
        public static let invalidDimensions = Code(.invalidDimensions)
        /// `RGBFrame.pixels` does not hold `width * height * 3` bytes.
        public static let pixelCountMismatch = Code(.pixelCountMismatch)
        /// The compressor failed.
        public static let compressionFailed = Code(.compressionFailed)
        /// The file could not be written.
        public static let writeFailed = Code(.writeFailed)

        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// What was wrong, for a person.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// PNG needs both dimensions in `1...Int32.max`.
    public static func invalidDimensions(width: Int, height: Int) -> ImageFormatError {
        ImageFormatError(.invalidDimensions, "a \(width)×\(height) image cannot be stored")
    }
    /// `RGBFrame.pixels` holds `actual` bytes instead of `expected`.
    public static func pixelCountMismatch(expected: Int, actual: Int) -> ImageFormatError {
        ImageFormatError(.pixelCountMismatch, "the frame holds \(actual) bytes, not \(expected)")
    }
    /// zlib's `compress2` returned `status` instead of `Z_OK`.
    public static func compressionFailed(status: Int32) -> ImageFormatError {
        ImageFormatError(.compressionFailed, "zlib compress2 returned \(status)")
    }
    /// Writing `path` failed for `reason`.
    public static func writeFailed(path: String, reason: String) -> ImageFormatError {
        ImageFormatError(.writeFailed, "cannot write \(path): \(reason)")
    }

    public var description: String { "\(code): \(message)" }
}
