/// A long-running server (the daemon, the buffer and parameter services, the recorder): started
/// once, asked to stop from any thread, waited for.
///
/// Each of them owns its sockets on threads of its own and blocks in `zmq_poll`, so the shape is
/// synchronous: `start()` returns once the service is serving (bound, or connected), a stop is a
/// request the serving thread notices at its next wake-up, and `waitForExit()` blocks until the
/// graceful part of the stop (answering in-flight calls, a last checkpoint) is done. One signal
/// handler (the CLI's `ShutdownSignals`) stops any of them through `requestStop()`.
public protocol GymService: AnyObject, Sendable {
    /// Binds (or connects) and serves on a thread of its own; returns once it is serving.
    /// A second start throws.
    func start() throws
    /// Asks for a graceful stop. Safe from any thread, more than once, and before `start()`
    /// (the service then stops as soon as it starts).
    func requestStop()
    /// Blocks until a started service has exited; returns at once if it never started.
    func waitForExit()
}

extension GymService {
    /// Starts, then blocks until the service has stopped (after `requestStop()` from elsewhere).
    public func runUntilStopped() throws {
        try start()
        waitForExit()
    }

    /// Asks for a graceful stop and waits for it.
    public func shutdown() {
        requestStop()
        waitForExit()
    }
}
