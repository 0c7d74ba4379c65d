import CZMQ
import Dispatch

/// A libzmq context: owns the I/O threads and is the namespace for `inproc://` endpoints.
///
/// Contexts are thread-safe; sockets are not. Sockets must be closed before a context terminates,
/// so every `Socket` keeps its context alive.
public final class Context: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    private let termination = DispatchSemaphore(value: 1)
    private var terminated = false

    /// Creates a context with `ioThreads` background I/O threads.
    public init(ioThreads: Int = 1) throws {
        guard let handle = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
        self.handle = handle
        if ioThreads != 1 {
            zmq_ctx_set(handle, ZMQ_IO_THREADS, Int32(ioThreads))
        }
    }

    /// Wakes every blocking call on this context's sockets with `ZMQError.Code.terminated`.
    ///
    /// Used for shutdown: threads blocked in receive return, close their sockets and exit.
    public func shutdown() {
        zmq_ctx_shutdown(handle)
    }

    /// Terminates the context on a thread of its own and waits up to `seconds` for it: libzmq
    /// first delivers what closed sockets queued (within their linger), so a process that exits
    /// after this has sent its last replies. True when termination finished in time. Every
    /// socket of the context must be closed first; the context is unusable afterwards.
    public func terminate(waitingAtMost seconds: Double) -> Bool {
        termination.wait()
        guard !terminated else { termination.signal(); return true }
        terminated = true
        termination.signal()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { [self] in
            while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
            done.signal()
        }
        return done.wait(timeout: .now() + seconds) == .success
    }

    deinit {
        // Blocks until all sockets are closed, which `Socket` guarantees by retaining its context.
        if !terminated { while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {} }
    }
}

/// The libzmq library's version, e.g. (4, 3, 4).
public var zmqVersion: (major: Int, minor: Int, patch: Int) {
    var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
    zmq_version(&major, &minor, &patch)
    return (Int(major), Int(minor), Int(patch))
}

extension Context {
    /// The process-wide context. Daemons and clients in one process share it by default, which
    /// is what lets an embedded daemon and its clients talk over `inproc://`.
    public static let shared: Context = {
        do { return try Context() } catch { fatalError("libzmq could not create a context: \(error)") }
    }()
}
