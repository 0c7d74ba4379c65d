import Foundation
import GymCore
import Logging
import ZeroMQ

/// A daemon running inside this process over `inproc://`, for commands given no `--server`.
public final class EmbeddedDaemon: @unchecked Sendable {
    /// The daemon itself.
    public let daemon: Daemon
    /// Where clients in this process connect.
    public var endpoint: String { daemon.endpoint }

    private static let counter = NSLock()
    nonisolated(unsafe) private static var started = 0

    /// Starts a daemon on a fresh `inproc://` endpoint of the shared context, or on `bind`
    /// (e.g. `tcp://127.0.0.1:*` when other processes must reach it).
    public init(registry: EnvRegistry, workers: Int = DaemonConfiguration.defaultWorkers, bind: String? = nil,
                logger: Logger = Logger(label: "gym.embedded")) throws {
        Self.counter.lock()
        Self.started += 1
        let name = bind ?? "inproc://gym-embedded-\(ProcessInfo.processInfo.processIdentifier)-\(Self.started)"
        Self.counter.unlock()
        daemon = try Daemon(configuration: DaemonConfiguration(bind: name, workers: workers, registry: registry, name: "gym-embedded"), logger: logger)
        try daemon.start()
    }

    /// Stops the daemon gracefully.
    public func shutdown() { daemon.shutdown() }

    deinit { daemon.shutdown() }
}
