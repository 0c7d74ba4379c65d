import Foundation

/// A thread that owns an `EnvWorker` and runs its jobs in order.
///
/// Its queue knows which job runs and since when, so the watchdog can cut off a job that never
/// returns (an environment looping, a plugin spinning): `replacement(for:)` moves the other
/// environments and the queued jobs to a fresh thread, and the stuck one is left to itself.
final class WorkerThread: @unchecked Sendable {
    let index: Int
    let queue = JobQueue()
    let worker: EnvWorker
    private let completions: CompletionQueue
    private let spinMicroseconds: Double
    private let done = DispatchSemaphore(value: 0)
    private var thread: Thread?

    init(index: Int, worker: EnvWorker, completions: CompletionQueue, spinMicroseconds: Double) {
        self.index = index
        self.worker = worker
        self.spinMicroseconds = spinMicroseconds
        self.completions = completions
        let thread = Thread { [self] in run() }
        thread.name = "gym-worker-\(index)"
        self.thread = thread
    }

    func start() { thread?.start() }

    private func run() {
        while let job = queue.take(spinMicroseconds: spinMicroseconds) {
            let completion = worker.execute(job)
            // Abandoned meanwhile: the socket thread has answered for this job.
            guard queue.finish() else { return }
            completions.push(completion)
        }
        done.signal()
        completions.poke()
    }

    /// Finishes queued jobs, then stops; `waitForExit(until:)` says when it has.
    func stop() { queue.close() }

    /// Waits until the thread has stopped or `deadline` passes; true when it stopped.
    func waitForExit(until deadline: DispatchTime) -> Bool {
        guard done.wait(timeout: deadline) == .success else { return false }
        done.signal()
        return true
    }

    /// Cuts this thread off, stuck in a job on `handle`: a new thread (started) takes its other
    /// environments and the jobs queued for them. Returns it, the stuck job and the jobs queued
    /// behind it on `handle`, which the caller answers.
    func replacement(stuckOn handle: UInt64) -> (thread: WorkerThread, stuck: Job?, orphans: [Job]) {
        let (stuck, queued) = queue.abandon()
        let fresh = WorkerThread(index: index, worker: worker.handOver(excluding: handle), completions: completions,
                                 spinMicroseconds: spinMicroseconds)
        var orphans: [Job] = []
        for job in queued {
            if job.handle == handle { orphans.append(job) } else { fresh.queue.push(job) }
        }
        fresh.start()
        return (fresh, stuck, orphans)
    }

    /// Cuts this thread off at shutdown: returns the job it is running and those it did not start.
    func abandon() -> [Job] {
        let (running, queued) = queue.abandon()
        return (running.map { [$0] } ?? []) + queued
    }
}
