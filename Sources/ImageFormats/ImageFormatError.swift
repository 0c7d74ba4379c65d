import CodedErrors

extension ErrorCode where Domain == ImageFormatErrors {
    /// A dimension is outside what the format stores (PNG: `1...Int32.max`).
    public static var invalidDimensions: Self { Self("invalidDimensions") }
    /// `RGBFrame.pixels` does not hold `width * height * 3` bytes.
    public static var pixelCountMismatch: Self { Self("pixelCountMismatch") }
    /// The compressor failed.
    public static var compressionFailed: Self { Self("compressionFailed") }
    /// The file could not be written.
    public static var writeFailed: Self { Self("writeFailed") }
}

extension CodedError where Domain == ImageFormatErrors {
    /// PNG needs both dimensions in `1...Int32.max`.
    public static func invalidDimensions(width: Int, height: Int) -> Self {
        Self(.invalidDimensions, "a \(width)×\(height) image cannot be stored")
    }
    /// `RGBFrame.pixels` holds `actual` bytes instead of `expected`.
    public static func pixelCountMismatch(expected: Int, actual: Int) -> Self {
        Self(.pixelCountMismatch, "the frame holds \(actual) bytes, not \(expected)")
    }
    /// zlib's `compress2` returned `status` instead of `Z_OK`.
    public static func compressionFailed(status: Int32) -> Self { Self(.compressionFailed, "zlib compress2 returned \(status)") }
    /// Writing `path` failed for `reason`.
    public static func writeFailed(path: String, reason: String) -> Self { Self(.writeFailed, "cannot write \(path): \(reason)") }
}

/// The failures of encoding or saving an image.
public enum ImageFormatErrors: ErrorDomain {}

/// Why an image could not be encoded or saved.
public typealias ImageFormatError = CodedError<ImageFormatErrors>
