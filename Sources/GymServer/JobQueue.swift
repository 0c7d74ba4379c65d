import Foundation

/// A worker's inbox: the socket thread pushes, the worker takes one job at a time and says when
/// it is done, so the socket thread always knows which job runs and since when.
///
/// Cutting a stuck worker off (`abandon()`) is atomic with its taking and finishing: every job is
/// either finished by the worker (its completion is pushed) or handed back to the socket thread,
/// never both and never neither.
final class JobQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var head = 0
    private var closed = false
    private var abandoned = false
    private var running: (job: Job, since: UInt64)?

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
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for the next job, first watching for up to `spinMicroseconds` (a worker that just
    /// finished a step usually gets the client's next one within a round trip; catching it awake
    /// saves a thread wake-up), then sleeping. The job is marked running until `finish()`.
    /// Nil once closed and drained, or abandoned.
    func take(spinMicroseconds: Double = 0) -> Job? {
        if spinMicroseconds > 0 {
            let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(spinMicroseconds * 1000)
            while DispatchTime.now().uptimeNanoseconds < deadline {
                condition.lock()
                let ready = head < jobs.count || closed || abandoned
                condition.unlock()
                if ready { break }
            }
        }
        condition.lock()
        defer { condition.unlock() }
        while head >= jobs.count && !closed && !abandoned { condition.wait() }
        guard !abandoned, head < jobs.count else { return nil }
        let job = jobs[head]
        head += 1
        if head == jobs.count {
            jobs.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024 && head * 2 >= jobs.count {
            jobs.removeFirst(head)
            head = 0
        }
        running = (job, DispatchTime.now().uptimeNanoseconds)
        return job
    }

    /// Marks the running job done; false when the queue was abandoned meanwhile (the result must
    /// be dropped: the socket thread has answered for the job).
    func finish() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        running = nil
        return !abandoned
    }

    /// The job running for longer than `limit` seconds, if any.
    func overrunningJob(limit: Double) -> Job? {
        condition.lock()
        defer { condition.unlock() }
        guard let running, !abandoned else { return nil }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds &- running.since) / 1e9
        return elapsed > limit ? running.job : nil
    }

    /// Whether a job is running now.
    var isRunning: Bool {
        condition.lock()
        defer { condition.unlock() }
        return running != nil
    }

    /// Cuts the worker off: returns the job it is running (nil between jobs) and those queued;
    /// the worker takes nothing more and whatever it finishes is dropped.
    func abandon() -> (running: Job?, queued: [Job]) {
        condition.lock()
        defer { condition.unlock() }
        abandoned = true
        let queued = Array(jobs[head...])
        jobs = []
        head = 0
        condition.broadcast()
        return (running?.job, queued)
    }
}
