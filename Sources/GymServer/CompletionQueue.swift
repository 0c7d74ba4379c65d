import Foundation

/// Finished jobs on their way back to the socket thread, which waits on `wakeDescriptor`
/// inside `zmq_poll` together with its ROUTER socket.
final class CompletionQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var completions: [Completion] = []
    private var signaled = false
    private var watching = false
    private let wake: WakePipe

    /// The file descriptor that becomes readable when completions are waiting.
    var wakeDescriptor: Int32 { wake.descriptor }

    init() throws {
        wake = try WakePipe()
    }

    /// Hands a completion to the socket thread, waking it unless it is already woken or watching.
    func push(_ completion: Completion) {
        lock.lock()
        completions.append(completion)
        let wake = !signaled && !watching
        if wake { signaled = true }
        lock.unlock()
        if wake { poke() }
    }

    /// The socket thread is polling the queue itself: completions need not write to the pipe.
    /// Returns false (and does not start watching) when completions are already waiting.
    func startWatching() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        watching = completions.isEmpty
        return watching
    }

    /// Stops watching; true when completions arrived meanwhile (the caller must drain them).
    func stopWatching() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        watching = false
        return !completions.isEmpty
    }

    /// Whether completions are waiting, checked without the pipe.
    var isEmpty: Bool {
        lock.lock()
        defer { lock.unlock() }
        return completions.isEmpty
    }

    /// Wakes the socket thread without a completion (for shutdown).
    func poke() { wake.poke() }

    /// Takes everything queued; call after the wake descriptor polled readable.
    func drain(into buffer: inout [Completion]) {
        wake.drain()
        lock.lock()
        swap(&buffer, &completions)
        signaled = false
        lock.unlock()
    }
}
