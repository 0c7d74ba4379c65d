import CodedErrors

extension ErrorCode where Domain == SafeTensorsErrors {
    /// Fewer than 8 bytes, or fewer than the header length promises.
    public static var truncated: Self { Self("truncated") }
    /// The header length is larger than this reader accepts (100 MB, as the reference implementation).
    public static var headerTooLarge: Self { Self("headerTooLarge") }
    /// The header is not a JSON object of the expected form.
    public static var invalidHeader: Self { Self("invalidHeader") }
    /// A tensor's dtype is not `F32`, the only one this module stores.
    public static var unsupportedDType: Self { Self("unsupportedDType") }
    /// A tensor's byte range does not match its shape, or lies outside the data.
    public static var invalidOffsets: Self { Self("invalidOffsets") }
    /// Tensor byte ranges overlap, leave gaps, or do not cover the data section.
    public static var dataNotContiguous: Self { Self("dataNotContiguous") }
    /// A tensor name is empty or is the reserved `__metadata__`.
    public static var invalidName: Self { Self("invalidName") }
    /// Reading or writing the file failed.
    public static var io: Self { Self("io") }
}

extension CodedError where Domain == SafeTensorsErrors {
    /// Fewer than 8 bytes, or fewer than the header length promises.
    public static var truncated: Self { Self(.truncated, "the file is shorter than its header says") }
    /// The header length `length` is larger than this reader accepts.
    public static func headerTooLarge(_ length: UInt64) -> Self { Self(.headerTooLarge, "a header of \(length) bytes is over the limit") }
    /// The header is not a JSON object of the expected form; `reason` says how.
    public static func invalidHeader(_ reason: String) -> Self { Self(.invalidHeader, reason) }
    /// Tensor `name` has a dtype other than `F32`.
    public static func unsupportedDType(name: String, dtype: String) -> Self {
        Self(.unsupportedDType, "tensor \(name) has dtype \(dtype); only F32 is read")
    }
    /// Tensor `name`'s byte range does not match its shape, or lies outside the data.
    public static func invalidOffsets(name: String) -> Self {
        Self(.invalidOffsets, "tensor \(name)'s data_offsets do not fit its shape or the data")
    }
    /// Tensor byte ranges overlap, leave gaps, or do not cover the data section.
    public static var dataNotContiguous: Self { Self(.dataNotContiguous, "tensor data overlaps, leaves gaps or does not cover the data section") }
    /// A tensor is named `name`, which is empty or reserved.
    public static func invalidName(_ name: String) -> Self { Self(.invalidName, "\"\(name)\" cannot name a tensor") }
    /// Reading or writing failed; `reason` says what.
    public static func io(_ reason: String) -> Self { Self(.io, reason) }
}

/// The failures of reading or writing a safetensors file.
public enum SafeTensorsErrors: ErrorDomain {}

/// Why a safetensors file could not be read or written.
public typealias SafeTensorsError = CodedError<SafeTensorsErrors>
