/// An error an environment, a batch or the daemon reports to a client, with a code the
/// protocol carries as is.
///
/// The code is a struct around a private enum (as `ZMQError.Code`), so a new code breaks no
/// caller's `switch`.
public struct GymError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong, in the protocol's terms.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case malformed, unsupportedVersion, unknownEnv, unknownHandle, notOwner, invalidAction
            case quotaExceeded, internalError, invalidArgument, unknownMessage, resetNeeded
            case notSupported, shuttingDown, timedOut, disconnected, unknownTable
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The request could not be decoded, or its framing is wrong.
        public static let malformed = Code(.malformed)
        /// The client speaks another protocol version.
        public static let unsupportedVersion = Code(.unsupportedVersion)
        /// No environment is registered under the id asked for.
        public static let unknownEnv = Code(.unknownEnv)
        /// No open batch has the handle given.
        public static let unknownHandle = Code(.unknownHandle)
        /// The handle belongs to another client.
        public static let notOwner = Code(.notOwner)
        /// An action has the wrong shape or dtype, or lies outside the action space.
        public static let invalidAction = Code(.invalidAction)
        /// A count or size is over the server's limit.
        public static let quotaExceeded = Code(.quotaExceeded)
        /// The server (or an environment) failed in a way the request did not cause.
        public static let internalError = Code(.internalError)
        /// An argument is out of range or inconsistent.
        public static let invalidArgument = Code(.invalidArgument)
        /// The request carries a message this version does not know.
        public static let unknownMessage = Code(.unknownMessage)
        /// A batch must be reset before it can step.
        public static let resetNeeded = Code(.resetNeeded)
        /// The environment or server cannot do this (rendering, say).
        public static let notSupported = Code(.notSupported)
        /// The server is stopping.
        public static let shuttingDown = Code(.shuttingDown)
        /// A call waited its whole timeout (travels as DEADLINE_EXCEEDED).
        public static let timedOut = Code(.timedOut)
        /// The connection to the server was lost (client side only; never travels).
        public static let disconnected = Code(.disconnected)
        /// No replay table has the name given.
        public static let unknownTable = Code(.unknownTable)

        /// Every code this version knows, in declaration order.
        public static let allCases: [Code] = [
            .malformed, .unsupportedVersion, .unknownEnv, .unknownHandle, .notOwner, .invalidAction,
            .quotaExceeded, .internalError, .invalidArgument, .unknownMessage, .resetNeeded,
            .notSupported, .shuttingDown, .timedOut, .disconnected, .unknownTable,
        ]

        /// The code's name as written in Swift (`timedOut`), as logs and messages have always shown it.
        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// A sentence for a person.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
