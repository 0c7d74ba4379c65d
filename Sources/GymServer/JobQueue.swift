import Foundation

/// A worker's inbox: the socket thread pushes, the worker takes everything queued at once.
final class JobQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var closed = false

    /// Queues a job and wakes the worker.
    func push(_ job: Job) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the worker finish what is queued, then stop.
    func close() {
        condition.lock()
        closed = true
        condition.signal()
        condition.unlock()
    }

    /// Waits for work, first watching for up to `spinMicroseconds` (a worker that just finished a
    /// step usually gets the client's next one within a round trip; catching it awake saves a
    /// thread wake-up), then sleeping. Returns false once closed and drained.
    func takeAll(into buffer: inout [Job], spinMicroseconds: Double = 0) -> Bool {
        if spinMicroseconds > 0 {
            let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(spinMicroseconds * 1000)
            while DispatchTime.now().uptimeNanoseconds < deadline {
                condition.lock()
                let ready = !jobs.isEmpty || closed
                condition.unlock()
                if ready { break }
            }
        }
        condition.lock()
        defer { condition.unlock() }
        while jobs.isEmpty && !closed { condition.wait() }
        if jobs.isEmpty { return false }
        swap(&buffer, &jobs)
        return true
    }
}

/// Finished jobs on their way back to the socket thread, which waits on `wakeDescriptor`
/// inside `zmq_poll` together with its ROUTER socket.
final class CompletionQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var completions: [Completion] = []
    private var signaled = false
    private var watching = false
    private let pipeRead: Int32
    private let pipeWrite: Int32

    /// The file descriptor that becomes readable when completions are waiting.
    var wakeDescriptor: Int32 { pipeRead }

    init() throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw GymDaemonError.system("pipe", errno) }
        pipeRead = fds[0]
        pipeWrite = fds[1]
        _ = fcntl(pipeRead, F_SETFL, fcntl(pipeRead, F_GETFL) | O_NONBLOCK)
        _ = fcntl(pipeWrite, F_SETFL, fcntl(pipeWrite, F_GETFL) | O_NONBLOCK)
    }

    deinit {
        Foundation.close(pipeRead)
        Foundation.close(pipeWrite)
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
    func poke() {
        var byte: UInt8 = 1
        _ = write(pipeWrite, &byte, 1)
    }

    /// Takes everything queued; call after the wake descriptor polled readable.
    func drain(into buffer: inout [Completion]) {
        var scratch = [UInt8](repeating: 0, count: 64)
        while read(pipeRead, &scratch, scratch.count) > 0 {}
        lock.lock()
        swap(&buffer, &completions)
        signaled = false
        lock.unlock()
    }
}
