import ArgumentParser
import GymClient
import GymCore
import GymProtocol
import GymServer
import GymPlugin
import Logging

/// Options every client command shares.
struct ServerOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Daemon endpoint, e.g. tcp://127.0.0.1:5555. Without it, an embedded daemon runs in this process.", valueName: "addr"))
    var server: String?

    @Option(help: ArgumentHelp("Extra plugin directory for the embedded daemon (repeatable).", valueName: "dir"))
    var plugins: [String] = []

    @Option(help: "Seconds to wait for any reply before failing.")
    var timeout: Double = 10

    @Option(help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
    var logLevel: Logger.Level = .warning

    @OptionGroup var security: SecurityOptions

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    /// A connection to --server, or to a daemon started in this process; `shared` makes that
    /// daemon listen on tcp loopback so that worker processes can reach it too. `description`
    /// tells the daemon who is stepping (run, algorithm, role).
    func connect(clientName: String, description: Gym_V1_ClientDescription? = nil,
                 shared: Bool = false) throws -> (GymConnection, EmbeddedDaemon?) {
        LogSetup.bootstrap(level: logLevel)
        try security.install()
        if let server {
            return (try GymConnection(endpoint: server, timeout: timeout, clientName: clientName, description: description), nil)
        }
        let embedded = try EmbeddedDaemon(registry: BuiltinEnvironments.registry(extraDirectories: plugins),
                                          bind: shared ? "tcp://127.0.0.1:*" : nil)
        return (try GymConnection(endpoint: embedded.endpoint, timeout: timeout, clientName: clientName, description: description), embedded)
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
