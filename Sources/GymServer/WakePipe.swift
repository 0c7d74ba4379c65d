import Foundation

/// A non-blocking pipe that wakes a socket thread sleeping in `zmq_poll`: other threads `poke()`
/// it, the socket thread polls `descriptor` beside its sockets and `drain()`s it on waking.
///
/// A pipe because `zmq_poll` waits on file descriptors and sockets together, and a byte written
/// to it from any thread (without a ZeroMQ socket of its own) ends the wait.
final class WakePipe: @unchecked Sendable {
    /// The read end, for the poller.
    let descriptor: Int32
    private let writeEnd: Int32

    /// Opens the pipe, both ends non-blocking (a full pipe already means "wake up").
    init() throws {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw GymDaemonError.system("pipe", errno) }
        descriptor = ends[0]
        writeEnd = ends[1]
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        _ = fcntl(writeEnd, F_SETFL, fcntl(writeEnd, F_GETFL) | O_NONBLOCK)
    }

    deinit {
        Foundation.close(descriptor)
        Foundation.close(writeEnd)
    }

    /// Makes `descriptor` readable; safe from any thread.
    func poke() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    /// Empties the pipe, so the next poll sleeps until the next poke.
    func drain() {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { scratch in
            while read(descriptor, scratch.baseAddress, scratch.count) > 0 {}
        }
    }
}
