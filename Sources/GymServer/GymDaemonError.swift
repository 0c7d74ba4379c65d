import Foundation

/// A failure of the daemon itself (not of a request): it could not start, or a system call failed.
///
/// The code is a struct around a private enum (as `ZMQError.Code`), so a new code breaks no
/// caller's `switch`.
public struct GymDaemonError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case system, alreadyRunning
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A system call failed; the message names it and the reason.
        public static let system = Code(.system)
        /// `start()` or `run()` was called on a daemon that was started before.
        public static let alreadyRunning = Code(.alreadyRunning)

        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// A sentence for a person.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// System call `call` failed with `errno` value `code`.
    public static func system(_ call: String, _ code: Int32) -> GymDaemonError {
        GymDaemonError(.system, "\(call) failed: \(String(cString: strerror(code)))")
    }

    /// The daemon was started before.
    public static let alreadyRunning = GymDaemonError(.alreadyRunning, "the daemon is already running")

    public var description: String { message }
}
