import Foundation
import GymCore
import GymProtocol
import ZeroMQ

/// The graceful stop: every request the daemon received, or that still waits in its socket, is
/// answered before the socket closes, with its result or SHUTTING_DOWN, within
/// `shutdownTimeout`, even when a worker is stuck.
extension Daemon {
    func finishServing(_ socket: Socket, finished: inout [Completion]) {
        logger.info("stopping: finishing queued work (at most \(configuration.shutdownTimeout) s)")
        let deadline = DispatchTime.now() + configuration.shutdownTimeout
        events?.beginStopping()
        for worker in workers { worker.stop() }
        var poller = Poller()
        poller.add(socket)
        poller.add(fileDescriptor: completions.wakeDescriptor)
        while !workers.allSatisfy({ $0.waitForExit(until: .now()) }) {
            let left = Int64(deadline.uptimeNanoseconds) - Int64(DispatchTime.now().uptimeNanoseconds)
            guard left > 0 else { break }
            _ = try? poller.poll(timeoutMilliseconds: Int(min(50, max(1, left / 1_000_000))))
            forward(&finished, through: socket)
            refuseWaiting(socket)
        }
        var late = 0
        for worker in workers where !worker.waitForExit(until: .now()) {
            for job in worker.abandon() {
                late += 1
                let completion = Watchdog.failure(job, GymError(.shuttingDown, "the daemon stopped before this request ran to the end"))
                if let frames = router.settle(completion) { send(frames, through: socket) }
            }
        }
        if late > 0 { logger.warning("stopping: answered \(late) unfinished job(s) SHUTTING_DOWN after \(configuration.shutdownTimeout) s") }
        forward(&finished, through: socket)
        // Clients answered SHUTTING_DOWN stop sending; a request that crossed a reply on the
        // wire is still answered, until the socket has been quiet for a moment.
        var quietSince = DispatchTime.now()
        while DispatchTime.now() < deadline, DispatchTime.now().uptimeNanoseconds - quietSince.uptimeNanoseconds < 100_000_000 {
            _ = try? poller.poll(timeoutMilliseconds: 20)
            if refuseWaiting(socket) > 0 { quietSince = .now() }
        }
        // Replies still queued in libzmq get what is left of the timeout to leave.
        let left = Int64(deadline.uptimeNanoseconds) - Int64(DispatchTime.now().uptimeNanoseconds)
        try? socket.setLinger(milliseconds: Int(max(100, left / 1_000_000)))
        socket.close()
        events?.stopAndWait()
        router.logStopped()
    }

    /// Answers every request still waiting in the socket SHUTTING_DOWN; returns how many.
    @discardableResult
    private func refuseWaiting(_ socket: Socket) -> Int {
        var refused = 0
        for _ in 0..<100_000 {
            guard let frames = try? socket.receiveMessage(dontWait: true) else { return refused }
            refused += 1
            guard let identity = frames.first, let payload = frames.last, frames.count >= 2 else { continue }
            router.counters.requests += 1
            let address = ReplyAddress(client: ClientID(identity), delimited: frames.count == 3 && frames[1].isEmpty)
            let id = Gym_V1_Request.salvageID(from: payload) ?? 0
            let reply = Gym_V1_Response.failure(id: id, GymError(.shuttingDown, "the daemon is stopping"))
            send(address.frames((try? reply.serializedBytes()) ?? []), through: socket)
        }
        return refused
    }
}
