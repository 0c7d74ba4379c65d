import ArgumentParser
import BufferService
import Dispatch
import Foundation
import GymClient
import GymCore
import GymProtocol
import Logging

extension Gym {
    /// `gym buffer`: the replay-buffer service, and tools to look at and measure one.
    struct Buffer: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a replay-buffer service, or inspect or measure one.",
            discussion: """
            Tables hold items (rows of named tensors, e.g. obs, action, reward, next_obs, \
            terminated) column-wise; a selector picks what a sample returns (uniform, prioritized \
            with exponents alpha and beta, or fifo), a rate limiter gates samples and inserts. The \
            protocol is in protocol/README.md ("Replay-buffer service").
            """,
            subcommands: [BufferServe.self, BufferInfo.self, BufferBench.self],
            defaultSubcommand: BufferServe.self)
    }
}

/// `gym buffer serve` (also plain `gym buffer`).
struct BufferServe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve replay-buffer tables on a ROUTER socket until SIGINT or SIGTERM.",
        discussion: """
        --table takes key=value pairs: \(Gym_V1_TableConfig.specKeys.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")). \
        Example: --table name=replay,selector=prioritized,max-size=100000,min-size=1000. Clients \
        may also create tables. With --checkpoint DIR the newest checkpoint in DIR is restored at \
        start, and one is written every --checkpoint-every seconds (while the service keeps \
        serving) and on SIGINT/SIGTERM. Each checkpoint's MANIFEST, written last, holds its files' \
        sizes and CRC-32s: a damaged or incomplete checkpoint is logged and the one before it \
        restored; when none is usable the service refuses to start.
        """)

    @Option(help: ArgumentHelp("Endpoint to bind.", valueName: "addr"))
    var bind = "tcp://127.0.0.1:5560"

    @Option(help: ArgumentHelp("A table to create at start (repeatable), e.g. name=replay,selector=prioritized.", valueName: "spec"))
    var table: [String] = []

    @Option(help: ArgumentHelp("Checkpoint directory: restore the newest at start, write on shutdown.", valueName: "dir"))
    var checkpoint: String?

    @Option(help: ArgumentHelp("Seconds between checkpoints (needs --checkpoint; 0: only on shutdown).", valueName: "seconds"))
    var checkpointEvery: Double = 0

    @Option(help: "Largest request in bytes; a client sending more is disconnected.")
    var maxMessageBytes = 256 << 20

    @Option(help: ArgumentHelp("Most bytes one table may hold when full (max size × item bytes, plus priorities); larger tables are refused with QUOTA_EXCEEDED.", valueName: "bytes"))
    var maxTableBytes = 4 << 30

    @Option(help: "Most tables the service holds; more are refused with QUOTA_EXCEEDED.")
    var maxTables = 64

    @Option(help: "Seed of the service's sampling streams.")
    var seed: UInt64 = 0

    @Option(help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
    var logLevel: Logger.Level = .info

    @OptionGroup var security: SecurityOptions

    func validate() throws {
        guard maxTableBytes >= 1 else { throw ValidationError("--max-table-bytes must be positive") }
        guard maxTables >= 1 else { throw ValidationError("--max-tables must be at least 1") }
        guard checkpointEvery >= 0 else { throw ValidationError("--checkpoint-every must not be negative") }
        guard checkpointEvery == 0 || checkpoint != nil else { throw ValidationError("--checkpoint-every needs --checkpoint") }
        for spec in table {
            do { _ = try Gym_V1_TableConfig(spec: spec) } catch let error as GymError { throw ValidationError(error.message) }
        }
    }

    func run() throws {
        LogSetup.bootstrap(level: logLevel)
        let logger = Logger(label: "gym.buffer")
        let signals = ShutdownSignals(logger: logger)
        try security.install(binds: [bind])
        let configs = try table.map { try Gym_V1_TableConfig(spec: $0) }
        let store = try checkpoint.map { try CheckpointStore(directory: URL(fileURLWithPath: $0, isDirectory: true)) }
        let limits = BufferLimits(maxTableBytes: maxTableBytes, maxTables: maxTables, maxReplyBytes: maxMessageBytes)
        let service = try BufferService(tables: configs, checkpoints: store, seed: seed, limits: limits, logger: logger)
        let server = BufferServer(bind: bind, service: service, checkpointInterval: checkpointEvery > 0 ? checkpointEvery : nil,
                                  maxMessageBytes: maxMessageBytes, logger: logger)
        signals.stops(server)
        do {
            try server.run()
        } catch let error as GymError {
            throw ValidationError(error.message)
        }
    }
}

/// `gym buffer info`: what a running service's tables hold.
struct BufferInfo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Print a buffer service's tables: size, inserts, samples, limiter waits.")

    @Option(help: ArgumentHelp("The buffer service.", valueName: "addr"))
    var buffer = "tcp://127.0.0.1:5560"

    @Option(help: "Seconds to wait for the reply.")
    var timeout: Double = 5

    @Flag(help: "Print one JSON object as the last line of stdout.")
    var json = false

    @OptionGroup var security: SecurityOptions

    func run() throws {
        LogSetup.bootstrap(level: .warning)
        try security.install()
        let client = try BufferClient(endpoint: buffer, timeout: timeout, clientName: "gym buffer info")
        let tables = try client.tables()
        if json {
            print(JSONText.object([("buffer", .string(buffer)), ("tables", .array(tables.map { info in
                .object([
                    ("name", .string(info.config.name)), ("selector", .string("\(info.config.selector)")),
                    ("max_size", .int(Int64(info.config.maxSize))), ("size", .int(Int64(info.size))),
                    ("inserts", .int(Int64(info.inserts))), ("samples", .int(Int64(info.samples))),
                    ("evictions", .int(Int64(info.evictions))), ("sample_waits", .int(Int64(info.sampleWaits))),
                    ("insert_waits", .int(Int64(info.insertWaits))), ("timeouts", .int(Int64(info.timeouts))),
                    ("next_key", .int(Int64(info.nextKey))),
                ])
            }))]).rendered)
        } else {
            for info in tables {
                print("\(info.config.name): \(info.config.selector), \(info.size)/\(info.config.maxSize) items, "
                    + "\(info.inserts) inserted, \(info.samples) sampled, \(info.evictions) evicted, "
                    + "\(info.sampleWaits) sample wait(s), \(info.insertWaits) insert wait(s), \(info.timeouts) timeout(s)")
            }
        }
    }
}
