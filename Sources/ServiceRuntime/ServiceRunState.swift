import Dispatch
import Foundation

/// The life of a serving loop as the threads around it see it: started once, asked to stop
/// from any thread (before it started, or more than once), waited for until it has exited.
public final class ServiceRunState: @unchecked Sendable {
    private let lock = NSLock()
    private var stopRequested = false
    private var started = false
    private let exited = DispatchSemaphore(value: 0)

    /// A service not started yet.
    public init() {}

    /// Runs `start` (binding, say) and marks the service started if it returns; throws
    /// `alreadyRunning` without running it when the service was started before. Holds the lock
    /// throughout, so two starts never both bind.
    public func start<T>(alreadyRunning: @autoclosure () -> any Error, _ start: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        guard !started else { throw alreadyRunning() }
        let result = try start()
        started = true
        return result
    }

    /// Asks the loop to stop; it notices at its next check of `isStopping`.
    public func requestStop() {
        lock.lock()
        stopRequested = true
        lock.unlock()
    }

    /// Whether a stop was asked for.
    public var isStopping: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopRequested
    }

    /// Called by the serving loop as it ends.
    public func markExited() { exited.signal() }

    /// Blocks until a started loop has exited; returns at once if it never started.
    public func waitForExit() {
        lock.lock()
        let wasStarted = started
        lock.unlock()
        guard wasStarted else { return }
        exited.wait()
        exited.signal()
    }
}
