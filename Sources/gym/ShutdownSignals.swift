import Foundation
import Logging
import ServiceRuntime
#if canImport(Glibc)
import Glibc
#endif

/// The write end of the pipe the signal handler reports to (set once, before the handler is installed).
nonisolated(unsafe) private var shutdownSignalPipe: Int32 = -1

/// SIGINT and SIGTERM turned into a graceful stop of a long-running command.
///
/// The handler is installed with `sigaction` before the command binds or logs that it is
/// listening, so a signal sent the moment a service is up is acted on, never ignored, and one
/// thread keeps the signals unblocked even when the process inherited them blocked. A signal
/// that arrives before `onSignal` names the stop is kept and acted on as soon as it does.
final class ShutdownSignals: @unchecked Sendable {
    private let lock = NSLock()
    private var action: (@Sendable (Int32) -> Void)?
    private var pending: Int32?
    private let logger: Logger
    private let message: String

    /// Installs the handler now; `message` is logged with each signal received.
    init(logger: Logger, message: String = "shutting down") {
        self.logger = logger
        self.message = message
        var descriptors: [Int32] = [-1, -1]
        guard pipe(&descriptors) == 0 else {
            logger.error("could not create the signal pipe (errno \(errno)); SIGINT and SIGTERM stop the process at once")
            return
        }
        shutdownSignalPipe = descriptors[1]
        let reader = descriptors[0]
        let thread = Thread { [self] in
            // A process started from a thread that blocks these signals (a dispatch worker, say)
            // inherits the block; this thread takes them whatever the rest of the process blocks.
            var set = sigset_t()
            sigemptyset(&set)
            sigaddset(&set, SIGINT)
            sigaddset(&set, SIGTERM)
            pthread_sigmask(SIG_UNBLOCK, &set, nil)
            var number: Int32 = 0
            while true {
                let count = read(reader, &number, MemoryLayout<Int32>.size)
                if count == MemoryLayout<Int32>.size { received(number) } else if count < 0 && errno == EINTR { continue } else { break }
            }
        }
        thread.name = "gym-signals"
        thread.start()
        for number in [SIGINT, SIGTERM] {
            var handler = sigaction()
            handler.__sigaction_handler.sa_handler = { number in
                var value = number
                _ = write(shutdownSignalPipe, &value, MemoryLayout<Int32>.size)
            }
            sigemptyset(&handler.sa_mask)
            handler.sa_flags = SA_RESTART
            sigaction(number, &handler, nil)
        }
    }

    /// Makes a signal ask `service` for its graceful stop (at once if a signal already came):
    /// the one way every long-running command is stopped.
    func stops(_ service: any GymService) {
        onSignal { service.requestStop() }
    }

    /// Names what a signal does; runs it at once if a signal already came.
    func onSignal(_ stop: @escaping @Sendable () -> Void) {
        onSignalNumber { _ in stop() }
    }

    /// Names what a signal does with its number, run for every signal (a train command exits
    /// at the second); runs it at once if a signal already came.
    func onSignalNumber(_ stop: @escaping @Sendable (Int32) -> Void) {
        lock.lock()
        action = stop
        let early = pending
        lock.unlock()
        if let early { stop(early) }
    }

    private func received(_ number: Int32) {
        logger.notice("received signal \(number): \(message)")
        lock.lock()
        pending = number
        let stop = action
        lock.unlock()
        stop?(number)
    }
}
