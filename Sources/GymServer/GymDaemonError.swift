import CodedErrors
import Foundation

extension ErrorCode where Domain == GymDaemonErrors {
    /// A system call failed; the message names it and the reason.
    public static var system: Self { Self("system") }
    /// `start()` or `run()` was called on a daemon that was started before.
    public static var alreadyRunning: Self { Self("alreadyRunning") }
}

extension CodedError where Domain == GymDaemonErrors {
    /// System call `call` failed with `errno` value `code`.
    public static func system(_ call: String, _ code: Int32) -> Self {
        Self(.system, "\(call) failed: \(String(cString: strerror(code)))")
    }

    /// The daemon was started before.
    public static var alreadyRunning: Self { Self(.alreadyRunning, "the daemon is already running") }
}

/// The daemon's own failures.
public enum GymDaemonErrors: ErrorDomain {}

/// A failure of the daemon itself (not of a request): it could not start, or a system call failed.
public typealias GymDaemonError = CodedError<GymDaemonErrors>
