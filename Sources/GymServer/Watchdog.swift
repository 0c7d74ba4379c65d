import GymCore
import GymProtocol
import Logging

/// Cuts off jobs that run past the step timeout, so one environment that loops (or a plugin that
/// spins or sleeps) cannot wedge the other environments of its worker thread.
///
/// The stuck job's client gets DEADLINE_EXCEEDED, its handle is quarantined (later requests get
/// INTERNAL saying so; a close releases it), the worker's other environments and queued jobs move
/// to a fresh thread, and the stuck thread is left to itself: a thread cannot be killed safely,
/// but nothing it does afterwards reaches a client.
struct Watchdog {
    /// Seconds a job may run.
    let limit: Double
    let logger: Logger

    /// Replaces every worker thread stuck in a job for longer than the limit; returns the
    /// completions due for the jobs it cut off (send them through `router.settle`).
    func check(_ workers: inout [WorkerThread], router: RequestRouter) -> [Completion] {
        var due: [Completion] = []
        for index in workers.indices {
            guard let overrun = workers[index].queue.overrunningJob(limit: limit) else { continue }
            let (fresh, stuck, orphans) = workers[index].replacement(stuckOn: overrun.handle)
            workers[index] = fresh
            let error = router.quarantine(overrun.handle, after: limit)
            router.counters.abandonedThreads += 1
            logger.error("worker \(index): \(error.message); \(router.counters.abandonedThreads) thread(s) abandoned so far")
            if let stuck { due.append(Self.failure(stuck, error)) }
            let reason = router.quarantined[overrun.handle].map { GymError(.internalError, $0) } ?? error
            due += orphans.map { Self.failure($0, reason) }
        }
        return due
    }

    /// The completion answering `job` with `error`.
    static func failure(_ job: Job, _ error: GymError) -> Completion {
        let frames = job.replyTo.map { $0.frames((try? Gym_V1_Response.failure(id: job.requestID, error).serializedBytes()) ?? []) }
        return Completion(frames: frames, abandonedHandle: nil, error: error, client: job.replyTo?.client)
    }
}
