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
