import CodedErrors
import GymCore

extension GymError.Code {
    /// The wire code. A timeout travels as `DEADLINE_EXCEEDED` (a call that waited its whole
    /// timeout on a service); a client-side disconnect never travels.
    public var wire: Gym_V1_ErrorCode {
        switch self {
        case .malformed: return .malformed
        case .unsupportedVersion: return .unsupportedVersion
        case .unknownEnv: return .unknownEnv
        case .unknownHandle: return .unknownHandle
        case .notOwner: return .notOwner
        case .invalidAction: return .invalidAction
        case .quotaExceeded: return .quotaExceeded
        case .internalError, .disconnected: return .internal
        case .timedOut: return .deadlineExceeded
        case .unknownTable: return .unknownTable
        case .invalidArgument: return .invalidArgument
        case .unknownMessage: return .unknownMessage
        case .resetNeeded: return .resetNeeded
        case .notSupported: return .notSupported
        case .shuttingDown: return .shuttingDown
        // A code newer than this mapping: the client learns that something failed.
        default: return .internal
        }
    }

    /// The code a wire enum names; unknown codes read as internal errors.
    public init(wire: Gym_V1_ErrorCode) {
        switch wire {
        case .malformed: self = .malformed
        case .unsupportedVersion: self = .unsupportedVersion
        case .unknownEnv: self = .unknownEnv
        case .unknownHandle: self = .unknownHandle
        case .notOwner: self = .notOwner
        case .invalidAction: self = .invalidAction
        case .quotaExceeded: self = .quotaExceeded
        case .invalidArgument: self = .invalidArgument
        case .unknownMessage: self = .unknownMessage
        case .resetNeeded: self = .resetNeeded
        case .notSupported: self = .notSupported
        case .shuttingDown: self = .shuttingDown
        case .unknownTable: self = .unknownTable
        case .deadlineExceeded: self = .timedOut
        case .internal, .unspecified, .UNRECOGNIZED: self = .internalError
        }
    }
}

extension Gym_V1_Response {
    /// An error reply to request `id`.
    public static func failure(id: UInt64, _ error: GymError) -> Gym_V1_Response {
        .with {
            $0.id = id
            $0.error = .with { $0.code = error.code.wire; $0.message = WireLimits.clipMessage(error.message) }
        }
    }

    /// The error this reply carries, if it is an error reply.
    public var gymError: GymError? {
        guard hasError, error.code != .unspecified else { return nil }
        return GymError(GymError.Code(wire: error.code), error.message)
    }
}

extension Gym_V1_Request {
    /// Reads the request id from bytes that failed to decode, when field 1 comes first as
    /// protobuf encoders write it, so even a malformed request's error names its id.
    public static func salvageID(from bytes: [UInt8]) -> UInt64? {
        guard bytes.first == 0x08 else { return nil }
        var value: UInt64 = 0
        var shift: UInt64 = 0
        for byte in bytes.dropFirst().prefix(10) {
            value |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        return nil
    }
}
