import Foundation

/// Whether a background checkpoint is being written (set on the serving thread, cleared on the writer's).
final class InFlightFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var running = false

    /// Sets the flag; false when it was already set.
    func tryStart() -> Bool { lock.withLock { running ? false : { running = true; return true }() } }

    func finish() { lock.withLock { running = false } }
}
