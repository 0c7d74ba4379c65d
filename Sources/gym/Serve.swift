import ArgumentParser
import Dispatch
import Foundation
import GymServer
import Logging
import ZeroMQ

extension Gym {
    /// `gym serve`: the daemon.
    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the environment daemon.",
            discussion: """
            Binds a ROUTER socket and serves the protocol in protocol/README.md until SIGINT or \
            SIGTERM, then finishes queued work and exits. Binds to loopback unless told otherwise. \
            With --events, also publishes an event for every make, reset, step and close on an \
            XPUB socket (for `gym record`); events are produced only while a subscriber is attached.
            """)

        @Option(help: ArgumentHelp("Endpoint to bind.", valueName: "addr"))
        var bind = "tcp://127.0.0.1:5555"

        @Option(help: ArgumentHelp("Directory of environment plugins to load besides the executable's own (repeatable).", valueName: "dir"))
        var plugins: [String] = []

        @Option(help: "Worker threads stepping environments (default: number of cores).")
        var workers = DaemonConfiguration.defaultWorkers

        @Option(help: "Most environments one client may hold at once.")
        var maxEnvsPerClient = 4096

        @Option(help: "Largest request in bytes; a client sending more is disconnected.")
        var maxMessageBytes = 256 << 20

        @Option(help: "Seconds without requests after which a client's environments are closed. A client whose connection closes loses them at once; one whose connection stays open (TCP or IPC without CURVE) keeps them however long it waits.")
        var idleTimeout: Double = 600

        @Option(help: "Seconds between heartbeats to each client; a client that answers none for three of them (its process hangs, its host vanished) is disconnected and loses its environments. 0: no heartbeats.")
        var heartbeat: Double = 10

        @Option(help: "Seconds one make, reset, step, render or close may run; past it the client gets DEADLINE_EXCEEDED, the environment is quarantined and its worker moves on.")
        var stepTimeout: Double = 5

        @Option(help: "Seconds SIGINT or SIGTERM may take: unfinished requests are answered SHUTTING_DOWN when it is up.")
        var shutdownTimeout: Double = 5

        @Option(help: "Most environments all clients together may hold.")
        var maxEnvs = 32_768

        @Option(help: "Most clients that may hold environments at once.")
        var maxClients = 1024

        @Option(help: "Most requests one client may have queued or running at once.")
        var maxInFlight = 1024

        @Option(help: "Most replies queued for a client that does not read them; later ones are dropped and counted.")
        var maxQueuedReplies = 4096

        @Option(help: "Microseconds the socket thread watches for a finished job before sleeping (0: never spin).")
        var spinUs: Double = 0

        @Option(help: "Microseconds an idle worker watches for its next job before sleeping (0: never spin).")
        var workerSpinUs: Double = 0

        @Option(help: ArgumentHelp("Endpoint for the event stream (XPUB) that `gym record` subscribes to, e.g. tcp://127.0.0.1:5556. Off when not given.", valueName: "addr"))
        var events: String?

        @Option(help: ArgumentHelp("When an event subscriber cannot keep up: block (back-pressure, nothing lost; the default) or drop (never wait; drops are counted and logged).", valueName: "policy"))
        var eventsPolicy: EventPolicy = .block

        @Option(help: "Megabytes of events queued inside the daemon before --events-policy applies.")
        var eventsQueueMb = 64

        @Option(help: "With --events-policy block: seconds a subscriber that reads nothing may hold the stream before it is cut off (it then loses events until it reads again).")
        var eventsStallSeconds = 2.0

        @Option(help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
        var logLevel: Logger.Level = .info

        @OptionGroup var security: SecurityOptions

        func validate() throws {
            guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
            guard maxEnvsPerClient >= 1 else { throw ValidationError("--max-envs-per-client must be at least 1") }
            guard maxMessageBytes >= 1024 else { throw ValidationError("--max-message-bytes must be at least 1024") }
            guard idleTimeout > 0 else { throw ValidationError("--idle-timeout must be positive") }
            guard heartbeat >= 0, heartbeat <= 3600 else { throw ValidationError("--heartbeat must be in [0, 3600] seconds") }
            guard stepTimeout > 0, shutdownTimeout > 0 else { throw ValidationError("--step-timeout and --shutdown-timeout must be positive") }
            guard maxEnvs >= 1, maxClients >= 1, maxInFlight >= 1, maxQueuedReplies >= 1 else {
                throw ValidationError("--max-envs, --max-clients, --max-in-flight and --max-queued-replies must be at least 1")
            }
            guard spinUs >= 0, workerSpinUs >= 0 else { throw ValidationError("spin times must not be negative") }
            guard eventsQueueMb >= 1 else { throw ValidationError("--events-queue-mb must be at least 1") }
            guard eventsStallSeconds > 0, eventsStallSeconds <= 3600 else { throw ValidationError("--events-stall-seconds must be in (0, 3600]") }
        }

        func run() throws {
            LogSetup.bootstrap(level: logLevel)
            let logger = Logger(label: "gym.serve")
            let signals = ShutdownSignals(logger: logger)
            try security.install(binds: [bind] + (events.map { [$0] } ?? []))
            var configuration = DaemonConfiguration(
                bind: bind, workers: workers, maxEnvsPerClient: maxEnvsPerClient, maxMessageBytes: maxMessageBytes,
                idleTimeout: idleTimeout, registry: BuiltinEnvironments.registry(extraDirectories: plugins))
            configuration.spinMicroseconds = spinUs
            configuration.workerSpinMicroseconds = workerSpinUs
            configuration.events = events
            configuration.eventPolicy = eventsPolicy
            configuration.eventQueueBytes = eventsQueueMb << 20
            configuration.stepTimeout = stepTimeout
            configuration.heartbeatSeconds = heartbeat
            configuration.shutdownTimeout = shutdownTimeout
            configuration.maxEnvs = maxEnvs
            configuration.maxClients = maxClients
            configuration.maxInFlightPerClient = maxInFlight
            configuration.maxQueuedReplies = maxQueuedReplies
            configuration.eventStallSeconds = eventsStallSeconds
            // A context of its own, terminated at exit so the last replies leave before the process ends.
            let context = try Context()
            let daemon: Daemon
            do {
                daemon = try Daemon(configuration: configuration, context: context, logger: Logger(label: "gym.daemon"))
            } catch {
                throw RuntimeFailure("could not start the daemon: \(error)")
            }
            let stopped = SignalClock()
            signals.onSignal { [daemon] in
                stopped.mark()
                daemon.requestStop()
            }
            do {
                try daemon.run()
            } catch {
                throw RuntimeFailure("could not serve on \(bind): \(error)")
            }
            if !context.terminate(waitingAtMost: max(0.1, shutdownTimeout - stopped.secondsSince)) {
                logger.warning("exiting with replies still queued: the shutdown timeout is up")
            }
        }
    }
}

extension EventPolicy: ExpressibleByArgument {}

/// When the stop signal came, so that what is left of --shutdown-timeout can be computed.
private final class SignalClock: @unchecked Sendable {
    private let lock = NSLock()
    private var at: DispatchTime?

    func mark() {
        lock.lock()
        if at == nil { at = .now() }
        lock.unlock()
    }

    /// Seconds since the signal (0 if none came).
    var secondsSince: Double {
        lock.lock()
        defer { lock.unlock() }
        guard let at else { return 0 }
        return Double(DispatchTime.now().uptimeNanoseconds - at.uptimeNanoseconds) / 1e9
    }
}
