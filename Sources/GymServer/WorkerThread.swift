import Foundation

/// A thread that owns an `EnvWorker` and runs its jobs in order.
final class WorkerThread: @unchecked Sendable {
    let queue = JobQueue()
    private let worker: EnvWorker
    private let completions: CompletionQueue
    private let finished = DispatchSemaphore(value: 0)
    private var thread: Thread?

    private let spinMicroseconds: Double

    init(index: Int, worker: EnvWorker, completions: CompletionQueue, spinMicroseconds: Double) {
        self.worker = worker
        self.spinMicroseconds = spinMicroseconds
        self.completions = completions
        let thread = Thread { [self] in run() }
        thread.name = "gym-worker-\(index)"
        self.thread = thread
    }

    func start() { thread?.start() }

    private func run() {
        var jobs: [Job] = []
        while queue.takeAll(into: &jobs, spinMicroseconds: spinMicroseconds) {
            for job in jobs { completions.push(worker.execute(job)) }
            jobs.removeAll(keepingCapacity: true)
        }
        finished.signal()
    }

    /// Finishes queued jobs, then stops; returns when the thread has exited.
    func stopAndWait() {
        queue.close()
        finished.wait()
    }
}
