/// An error an environment, a batch or the daemon reports to a client, with a code the
/// protocol carries as is.
public struct GymError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong, in the protocol's terms.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        case malformed, unsupportedVersion, unknownEnv, unknownHandle, notOwner, invalidAction
        case quotaExceeded, internalError, invalidArgument, unknownMessage, resetNeeded
        case notSupported, shuttingDown, timedOut, disconnected, unknownTable
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
