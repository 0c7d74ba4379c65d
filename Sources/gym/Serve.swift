import ArgumentParser
import Dispatch
import Foundation
import GymServer
import Logging

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

        @Option(help: "Seconds without requests after which a client's environments are closed.")
        var idleTimeout: Double = 600

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

        func validate() throws {
            guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
            guard maxEnvsPerClient >= 1 else { throw ValidationError("--max-envs-per-client must be at least 1") }
            guard maxMessageBytes >= 1024 else { throw ValidationError("--max-message-bytes must be at least 1024") }
            guard idleTimeout > 0 else { throw ValidationError("--idle-timeout must be positive") }
            guard spinUs >= 0, workerSpinUs >= 0 else { throw ValidationError("spin times must not be negative") }
            guard eventsQueueMb >= 1 else { throw ValidationError("--events-queue-mb must be at least 1") }
            guard eventsStallSeconds > 0, eventsStallSeconds <= 3600 else { throw ValidationError("--events-stall-seconds must be in (0, 3600]") }
        }

        func run() throws {
            LogSetup.bootstrap(level: logLevel)
            let logger = Logger(label: "gym.serve")
            let signals = ShutdownSignals(logger: logger)
            var configuration = DaemonConfiguration(
                bind: bind, workers: workers, maxEnvsPerClient: maxEnvsPerClient, maxMessageBytes: maxMessageBytes,
                idleTimeout: idleTimeout, registry: BuiltinEnvironments.registry(extraDirectories: plugins))
            configuration.spinMicroseconds = spinUs
            configuration.workerSpinMicroseconds = workerSpinUs
            configuration.events = events
            configuration.eventPolicy = eventsPolicy
            configuration.eventQueueBytes = eventsQueueMb << 20
            configuration.eventStallSeconds = eventsStallSeconds
            let daemon: Daemon
            do {
                daemon = try Daemon(configuration: configuration, logger: Logger(label: "gym.daemon"))
            } catch {
                throw ValidationError("could not start the daemon: \(error)")
            }
            signals.stops(daemon)
            do {
                try daemon.run()
            } catch {
                throw ValidationError("could not serve on \(bind): \(error)")
            }
        }
    }
}

extension EventPolicy: ExpressibleByArgument {}
