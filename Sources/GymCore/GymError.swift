import CodedErrors

extension ErrorCode where Domain == GymErrors {
    /// The request could not be decoded, or its framing is wrong.
    public static var malformed: Self { Self("malformed") }
    /// The client speaks another protocol version.
    public static var unsupportedVersion: Self { Self("unsupportedVersion") }
    /// No environment is registered under the id asked for.
    public static var unknownEnv: Self { Self("unknownEnv") }
    /// No open batch has the handle given.
    public static var unknownHandle: Self { Self("unknownHandle") }
    /// The handle belongs to another client.
    public static var notOwner: Self { Self("notOwner") }
    /// An action has the wrong shape or dtype, or lies outside the action space.
    public static var invalidAction: Self { Self("invalidAction") }
    /// A count or size is over the server's limit.
    public static var quotaExceeded: Self { Self("quotaExceeded") }
    /// The server (or an environment) failed in a way the request did not cause.
    public static var internalError: Self { Self("internalError") }
    /// An argument is out of range or inconsistent.
    public static var invalidArgument: Self { Self("invalidArgument") }
    /// The request carries a message this version does not know.
    public static var unknownMessage: Self { Self("unknownMessage") }
    /// A batch must be reset before it can step.
    public static var resetNeeded: Self { Self("resetNeeded") }
    /// The environment or server cannot do this (rendering, say).
    public static var notSupported: Self { Self("notSupported") }
    /// The server is stopping.
    public static var shuttingDown: Self { Self("shuttingDown") }
    /// A call waited its whole timeout (travels as DEADLINE_EXCEEDED).
    public static var timedOut: Self { Self("timedOut") }
    /// The connection to the server was lost (client side only; never travels).
    public static var disconnected: Self { Self("disconnected") }
    /// No replay table has the name given.
    public static var unknownTable: Self { Self("unknownTable") }

    /// Every code this version knows, in declaration order.
    public static var allCases: [Self] {
        [.malformed, .unsupportedVersion, .unknownEnv, .unknownHandle, .notOwner, .invalidAction, .quotaExceeded, .internalError,
         .invalidArgument, .unknownMessage, .resetNeeded, .notSupported, .shuttingDown, .timedOut, .disconnected, .unknownTable]
    }
}

/// The errors an environment, a batch or the daemon reports to a client.
public enum GymErrors: ErrorDomain {}

/// An error an environment, a batch or the daemon reports to a client, with a code the
/// protocol carries as is.
public typealias GymError = CodedError<GymErrors>
