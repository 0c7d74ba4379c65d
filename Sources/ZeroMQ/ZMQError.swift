import CZMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An error reported by libzmq, with the cases callers act on given names of their own.
///
/// The code is a struct around a private enum, so adding codes later breaks no caller's `switch`.
public struct ZMQError: Error, Equatable, CustomStringConvertible, Sendable {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case timedOut, terminated, interrupted, hostUnreachable, invalidState
            case messageTooLarge, invalidArgument, other
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A send or receive timeout elapsed, or a non-blocking call found nothing to do (EAGAIN).
        public static let timedOut = Code(.timedOut)
        /// The context was terminated (ETERM): the socket must be closed.
        public static let terminated = Code(.terminated)
        /// A signal arrived during a blocking call (EINTR): usually retry or check for shutdown.
        public static let interrupted = Code(.interrupted)
        /// A ROUTER socket with mandatory routing was asked to reach an unknown peer (EHOSTUNREACH).
        public static let hostUnreachable = Code(.hostUnreachable)
        /// The socket's state machine forbids this call now (EFSM), e.g. REQ sending twice.
        public static let invalidState = Code(.invalidState)
        /// A message or frame exceeded a configured limit (EMSGSIZE).
        public static let messageTooLarge = Code(.messageTooLarge)
        /// An argument was rejected (EINVAL), e.g. a malformed endpoint.
        public static let invalidArgument = Code(.invalidArgument)
        /// Any other libzmq or system error; see `ZMQError.errno`.
        public static let other = Code(.other)

        public var description: String {
            switch base {
            case .timedOut: return "timed out"
            case .terminated: return "terminated"
            case .interrupted: return "interrupted"
            case .hostUnreachable: return "host unreachable"
            case .invalidState: return "invalid state"
            case .messageTooLarge: return "message too large"
            case .invalidArgument: return "invalid argument"
            case .other: return "error"
            }
        }

        static func from(errno value: Int32) -> Code {
            switch value {
            case EAGAIN: return .timedOut
            case ETERM: return .terminated
            case EINTR: return .interrupted
            case EHOSTUNREACH: return .hostUnreachable
            case EFSM: return .invalidState
            case EMSGSIZE: return .messageTooLarge
            case EINVAL: return .invalidArgument
            default: return .other
            }
        }
    }

    /// The named kind of failure.
    public let code: Code
    /// The raw errno value libzmq reported.
    public let errno: Int32
    /// libzmq's own text for the error, prefixed with what was being attempted.
    public let message: String

    /// Builds an error from an errno value, with the operation that failed as context.
    public init(errno value: Int32, operation: String) {
        self.code = .from(errno: value)
        self.errno = value
        let text = zmq_strerror(value).map { String(cString: $0) } ?? "errno \(value)"
        self.message = "\(operation): \(text)"
    }

    /// The error libzmq reports for the calling thread's last failed call.
    static func last(_ operation: String) -> ZMQError {
        ZMQError(errno: zmq_errno(), operation: operation)
    }

    public var description: String { "ZMQError(\(code)): \(message)" }
}
