/// Why a safetensors file could not be read or written.
///
/// The code is a struct around a private enum (as `ZMQError.Code`), so a new code breaks no
/// caller's `switch`; the factories below keep `throw .truncated`, `.invalidOffsets(name:)` and
/// friends reading as they did when this was an enum. Two errors are equal when their code and
/// message are, so the details (a name, a length) take part.
public struct SafeTensorsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case truncated, headerTooLarge, invalidHeader, unsupportedDType, invalidOffsets, dataNotContiguous, invalidName, io
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Fewer than 8 bytes, or fewer than the header length promises.
        public static let truncated = Code(.truncated)
        /// The header length is larger than this reader accepts (100 MB, as the reference implementation).
        public static let headerTooLarge = Code(.headerTooLarge)
        /// The header is not a JSON object of the expected form.
        public static let invalidHeader = Code(.invalidHeader)
        /// A tensor's dtype is not `F32`, the only one this module stores.
        public static let unsupportedDType = Code(.unsupportedDType)
        /// A tensor's byte range does not match its shape, or lies outside the data.
        public static let invalidOffsets = Code(.invalidOffsets)
        /// Tensor byte ranges overlap, leave gaps, or do not cover the data section.
        public static let dataNotContiguous = Code(.dataNotContiguous)
        /// A tensor name is empty or is the reserved `__metadata__`.
        public static let invalidName = Code(.invalidName)
        /// Reading or writing the file failed.
        public static let io = Code(.io)

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

    /// Fewer than 8 bytes, or fewer than the header length promises.
    public static let truncated = SafeTensorsError(.truncated, "the file is shorter than its header says")
    /// The header length `length` is larger than this reader accepts.
    public static func headerTooLarge(_ length: UInt64) -> SafeTensorsError {
        SafeTensorsError(.headerTooLarge, "a header of \(length) bytes is over the limit")
    }
    /// The header is not a JSON object of the expected form; `reason` says how.
    public static func invalidHeader(_ reason: String) -> SafeTensorsError { SafeTensorsError(.invalidHeader, reason) }
    /// Tensor `name` has a dtype other than `F32`.
    public static func unsupportedDType(name: String, dtype: String) -> SafeTensorsError {
        SafeTensorsError(.unsupportedDType, "tensor \(name) has dtype \(dtype); only F32 is read")
    }
    /// Tensor `name`'s byte range does not match its shape, or lies outside the data.
    public static func invalidOffsets(name: String) -> SafeTensorsError {
        SafeTensorsError(.invalidOffsets, "tensor \(name)'s data_offsets do not fit its shape or the data")
    }
    /// Tensor byte ranges overlap, leave gaps, or do not cover the data section.
    public static let dataNotContiguous = SafeTensorsError(.dataNotContiguous, "tensor data overlaps, leaves gaps or does not cover the data section")
    /// A tensor is named `name`, which is empty or reserved.
    public static func invalidName(_ name: String) -> SafeTensorsError {
        SafeTensorsError(.invalidName, "\"\(name)\" cannot name a tensor")
    }
    /// Reading or writing failed; `reason` says what.
    public static func io(_ reason: String) -> SafeTensorsError { SafeTensorsError(.io, reason) }

    public var description: String { "\(code): \(message)" }
}
