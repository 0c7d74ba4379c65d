import Agents
import ArgumentParser
import DistributedRuntime
import Foundation
import GymClient
import GymCore
import Logging

extension Gym {
    /// `gym worker`: a worker or actor process of a distributed learner.
    struct Worker: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Join a distributed learner as a worker (A3C) or an actor (Ape-X DQN).",
            discussion: """
            Connects to the learner's parameter service (--learner), which assigns this worker its \
            index and sends the run's settings: the algorithm, the environment, the daemon and \
            buffer endpoints, the seed, ε. The worker runs until the learner says stop and exits 0; \
            it exits non-zero when a service stops answering (each call times out after --timeout \
            seconds). Learners start their own workers on their machine; run this on other machines \
            to add more, at any time. --server and --buffer override the endpoints the learner sends.
            """)

        @Option(help: ArgumentHelp("The learner's parameter service, e.g. tcp://10.0.0.3:5570.", valueName: "addr"))
        var learner: String

        @Option(help: ArgumentHelp("Daemon to use instead of the one the learner names.", valueName: "addr"))
        var server: String?

        @Option(help: ArgumentHelp("Buffer service to use instead of the one the learner names (Ape-X).", valueName: "addr"))
        var buffer: String?

        @Option(help: "A name for the learner's log.")
        var name = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"

        @Option(help: "Seconds any call may wait for its reply.")
        var timeout: Double = 30

        @Option(help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
        var logLevel: Logger.Level = .warning

        @Flag(help: "Print one JSON object as the last line of stdout.")
        var json = false

        @OptionGroup var security: SecurityOptions

        func validate() throws {
            guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        }

        func run() throws {
            LogSetup.bootstrap(level: logLevel)
            let logger = Logger(label: "gym.worker")
            try security.install()
            let parameters = try ParameterClient(endpoint: learner, timeout: timeout, clientName: "gym worker \(name)")
            let (index, values) = try parameters.join(name: name)
            let settings = WorkerSettings(values)
            let algo = try settings.text("algo")
            let daemon = try server ?? settings.text("server")
            // Learners before run names sent none: the worker is then described by its role only.
            let run = (try? settings.text("run")) ?? ""
            let connection = try GymConnection(endpoint: daemon, timeout: timeout, clientName: "gym worker \(index)",
                                               description: .init(run: run, algorithm: algo, role: .worker))
            let env = try settings.text("env")
            logger.notice("worker \(index) joined \(learner): \(algo) on \(env) via \(daemon)")
            let started = Date()
            let steps: Int
            switch algo {
            case "dqn":
                let replay = try BufferClient(endpoint: try buffer ?? settings.text("buffer"), timeout: timeout, clientName: "gym worker \(index)")
                steps = try ApeXActor.run(index: index, settings: settings, parameters: parameters, connection: connection,
                                          buffer: replay, logger: logger)
            case "a3c":
                steps = try A3CWorker.run(index: index, settings: settings, parameters: parameters, connection: connection, logger: logger)
            default:
                throw ValidationError("the learner runs \(algo), which this worker does not know")
            }
            let seconds = Date().timeIntervalSince(started)
            if json {
                print(JSONText.object([("worker", .int(Int64(index))), ("algo", .string(algo)), ("steps", .int(Int64(steps))),
                                       ("wall_s", .double((seconds * 1000).rounded() / 1000))]).rendered)
            } else {
                print("worker \(index): \(algo), \(steps) environment steps in \(String(format: "%.1f", seconds)) s; the learner has finished")
            }
        }
    }
}

/// Options of learners that run worker processes.
struct DistributedOptions: ParsableArguments {
    /// Whether `endpoint` is reachable from this machine only.
    static func isLoopback(_ endpoint: String) -> Bool {
        ["tcp://127.", "tcp://localhost:", "tcp://[::1]:", "inproc://", "ipc://"].contains { endpoint.hasPrefix($0) }
    }

    @Option(help: ArgumentHelp("Where the parameter service binds; workers on other machines need a reachable address.", valueName: "addr"))
    var bindParameters = "tcp://127.0.0.1:*"

    @Flag(help: "Start no worker processes here: they join with `gym worker --learner ADDR` (the address is logged).")
    var noSpawn = false

    @Option(help: ArgumentHelp("Log level of the worker processes started here.", valueName: "level"))
    var workerLogLevel: Logger.Level = .warning

    /// Starts `count` `gym worker` processes of this executable joining `endpoint`, unless --no-spawn.
    func startWorkers(_ count: Int, endpoint: String) throws -> WorkerFleet? {
        guard !noSpawn else {
            if Self.isLoopback(endpoint) {
                Logger(label: "gym.train").warning("--no-spawn with the parameter service on loopback (\(endpoint)): workers on other machines cannot reach it; pass --bind-parameters tcp://ADDRESS:PORT with an address they can reach")
            }
            return nil
        }
        return try WorkerFleet(executable: WorkerFleet.currentExecutable,
                               arguments: ["worker", "--learner", endpoint, "--log-level", workerLogLevel.rawValue],
                               count: count, logger: Logger(label: "gym.train"))
    }

    /// Opens the learner's parameter service on --bind-parameters; the algorithm only holds the channel.
    func parameterChannels(logger: Logger) -> ParameterChannelOpener {
        SecurityReport.note(bind: bindParameters)
        return ParameterServiceChannel.opener(bind: bindParameters, logger: logger)
    }
}
