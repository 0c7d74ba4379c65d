import ArgumentParser
import ClassicControl
import GymClient
import GymCore
import Logging

/// Options every client command shares.
struct ServerOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Daemon endpoint, e.g. tcp://127.0.0.1:5555. Without it, an embedded daemon runs in this process.", valueName: "addr"))
    var server: String?

    @Option(help: "Seconds to wait for any reply before failing.")
    var timeout: Double = 10

    @Option(help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
    var logLevel: Logger.Level = .warning

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    /// A connection to --server, or to a daemon started in this process.
    func connect(clientName: String) throws -> (GymConnection, EmbeddedDaemon?) {
        LogSetup.bootstrap(level: logLevel)
        if let server {
            return (try GymConnection(endpoint: server, timeout: timeout, clientName: clientName), nil)
        }
        let embedded = try EmbeddedDaemon(registry: try BuiltinEnvironments.registry())
        return (try GymConnection(endpoint: embedded.endpoint, timeout: timeout, clientName: clientName), embedded)
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// The environments compiled into this binary.
enum BuiltinEnvironments {
    static func registry() throws -> EnvRegistry {
        var registry = EnvRegistry()
        try ClassicControl.register(into: &registry)
        return registry
    }
}

/// Logs go to stderr, so stdout stays clean for JSON.
enum LogSetup {
    nonisolated(unsafe) private static var done = false

    static func bootstrap(level: Logger.Level) {
        guard !done else { return }
        done = true
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
