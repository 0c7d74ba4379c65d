import Foundation
import GymCore
import GymProtocol
import Logging
import ServiceRuntime

/// The replay-buffer service's state and request handling, without sockets: named tables,
/// their calls, and checkpoints. `BufferServer` puts it behind a ROUTER socket.
///
/// A call the rate limiter holds back comes out as `.wait`: the caller parks it and asks
/// again with `retry: true` after the table changes, so a waiting call never blocks others.
public final class BufferService {
    /// What became of a request.
    public enum Outcome {
        /// Send this reply.
        case reply(Gym_V1_BufferResponse)
        /// The rate limiter holds the call back; try again after `table` changes.
        case wait(table: String)
    }

    private(set) var tables: [String: ReplayTable] = [:]
    private var order: [String] = []
    /// Where checkpoints go, if anywhere.
    public let checkpoints: CheckpointStore?
    private let logger: Logger
    private var seed: UInt64
    /// What clients may take.
    public let limits: BufferLimits
    /// Writes checkpoints one after another, off the thread that serves requests.
    private let checkpointWriter = DispatchQueue(label: "gym.buffer.checkpoint")
    private let checkpointsWriting = InFlightFlag()

    /// Restores the newest checkpoint when there is one, then creates the configured tables that
    /// it did not hold (a configured table that differs from its checkpointed self is an error).
    public init(tables configs: [Gym_V1_TableConfig], checkpoints: CheckpointStore? = nil, seed: UInt64 = 0,
                limits: BufferLimits = BufferLimits(), logger: Logger = Logger(label: "gym.buffer")) throws {
        self.checkpoints = checkpoints
        self.logger = logger
        self.seed = seed
        self.limits = limits
        if let (url, restored) = try checkpoints?.restoreNewest(skipped: { url, error in
            logger.error("checkpoint \(url.lastPathComponent) is not usable, trying the one before it: \(error)")
        }, restoreTables) {
            for table in restored { try add(table) }
            let sizes = order.map { "\($0) (\(tables[$0]?.size ?? 0) items)" }.joined(separator: ", ")
            logger.notice("restored \(url.lastPathComponent): \(sizes.isEmpty ? "no tables" : sizes)")
        }
        for config in configs {
            if let existing = tables[config.name] {
                guard Self.sameSettings(existing.config, config) else {
                    throw GymError(.invalidArgument, "table \(config.name) in the checkpoint has other settings than --table gives")
                }
            } else {
                try add(ReplayTable(config: config, seed: nextSeed(), maxBytes: limits.maxTableBytes))
            }
        }
    }

    /// The tables of a verified checkpoint, each checked (ReplayTable), their names distinct and
    /// their number within the limit: any fault refuses the whole checkpoint.
    private func restoreTables(_ saved: [Gym_V1_TableCheckpoint]) throws -> [ReplayTable] {
        guard saved.count <= limits.maxTables else {
            throw GymError(.malformed, "it holds \(saved.count) tables, more than this service's --max-tables \(limits.maxTables)")
        }
        var names = Set<String>()
        return try saved.map { table in
            guard names.insert(table.info.config.name).inserted else { throw GymError(.malformed, "table \(table.info.config.name.clippedForEcho()) twice") }
            return try ReplayTable(checkpoint: table, seed: nextSeed(), maxBytes: limits.maxTableBytes)
        }
    }

    private func nextSeed() -> UInt64 {
        seed &+= 0x9E37_79B9_7F4A_7C15
        return seed
    }

    private func add(_ table: ReplayTable) throws {
        guard tables[table.config.name] == nil else { throw GymError(.invalidArgument, "table \(table.config.name) twice") }
        guard tables.count < limits.maxTables else {
            throw GymError(.quotaExceeded, "this buffer service holds its limit of \(limits.maxTables) tables (--max-tables)")
        }
        tables[table.config.name] = table
        order.append(table.config.name)
    }

    static func sameSettings(_ a: Gym_V1_TableConfig, _ b: Gym_V1_TableConfig) -> Bool {
        var a = a, b = b
        // A signature fixed by the first insert is not a different setting.
        if a.signature.isEmpty || b.signature.isEmpty { a.signature = []; b.signature = [] }
        return a == b
    }

    /// Names of the tables, in creation order.
    public var tableNames: [String] { order }

    /// A table's info, for logs and tests.
    public func info(_ name: String) -> Gym_V1_TableInfo? { tables[name]?.info }

    /// A table's items as a checkpoint would hold them.
    public func tableCheckpoint(_ name: String) -> Gym_V1_TableCheckpoint? { tables[name]?.checkpoint }

    /// Handles one request. `retry` marks a parked call asked again (its wait is counted once).
    public func handle(_ request: Gym_V1_BufferRequest, retry: Bool = false) -> Outcome {
        do {
            return try dispatch(request, retry: retry)
        } catch let error as GymError {
            return .reply(.failure(id: request.id, error))
        } catch {
            return .reply(.failure(id: request.id, GymError(.internalError, "\(error)")))
        }
    }

    private func table(_ name: String) throws -> ReplayTable {
        guard let table = tables[name] else {
            throw GymError(.unknownTable, "no table \(name.isEmpty ? "(empty name)" : name.clippedForEcho()); tables: \(order.joined(separator: ", "))")
        }
        return table
    }

    private func reply(_ request: Gym_V1_BufferRequest, _ fill: (inout Gym_V1_BufferResponse) -> Void) -> Outcome {
        var response = Gym_V1_BufferResponse()
        response.id = request.id
        fill(&response)
        return .reply(response)
    }

    private func dispatch(_ request: Gym_V1_BufferRequest, retry: Bool) throws -> Outcome {
        switch request.body {
        case .hello(let hello):
            guard hello.protocolVersion == gymProtocolVersion else {
                throw GymError(.unsupportedVersion, "this buffer service speaks protocol version \(gymProtocolVersion), not \(hello.protocolVersion)")
            }
            return reply(request) {
                $0.hello = .with { $0.protocolVersion = gymProtocolVersion; $0.serverName = "gym-buffer" }
            }
        case .createTable(let create):
            if let existing = tables[create.config.name] {
                guard Self.sameSettings(existing.config, create.config) else {
                    throw GymError(.invalidArgument, "table \(create.config.name) exists with other settings")
                }
                return reply(request) { $0.createTable = .with { $0.table = existing.info; $0.created = false } }
            }
            guard tables.count < limits.maxTables else {
                throw GymError(.quotaExceeded, "this buffer service holds its limit of \(limits.maxTables) tables (--max-tables)")
            }
            let table = try ReplayTable(config: create.config, seed: nextSeed(), maxBytes: limits.maxTableBytes)
            try add(table)
            logger.info("created table \(table.config.name): \(table.config.selector), max size \(table.capacity)")
            return reply(request) { $0.createTable = .with { $0.table = table.info; $0.created = true } }
        case .insert(let insert):
            let table = try table(insert.table)
            let count = try table.validate(insert)
            guard table.allowsInsert else {
                if !retry { table.insertWaits += 1 }
                return .wait(table: insert.table)
            }
            let result = try table.insert(insert, count: count)
            return reply(request) { $0.insert = result }
        case .sample(let sample):
            let table = try table(sample.table)
            guard sample.batchSize >= 1 else { throw GymError(.invalidArgument, "sample needs a batch size of at least 1") }
            guard sample.batchSize <= limits.maxSampleBatch else {
                throw GymError(.invalidArgument, "a sample batch is at most \(limits.maxSampleBatch) items, not \(sample.batchSize)")
            }
            // The reply must fit one message; the table's item size is bounded, so this cannot overflow.
            guard Int(sample.batchSize) * table.itemBytes <= limits.maxReplyBytes else {
                throw GymError(.invalidArgument, "a batch of \(sample.batchSize) items of \(table.itemBytes) bytes exceeds the \(limits.maxReplyBytes)-byte message limit")
            }
            if sample.hasImportanceExponent, !ReplayTable.isExponent(sample.importanceExponent) {
                throw GymError(.invalidArgument, "importance exponent must be in [0, \(ReplayTable.maxExponent)]")
            }
            if table.config.selector == .fifo, Int(sample.batchSize) > table.capacity {
                throw GymError(.invalidArgument, "a batch of \(sample.batchSize) can never come from FIFO table \(sample.table) of max size \(table.capacity)")
            }
            guard table.allowsSample(batchSize: Int(sample.batchSize)) else {
                if !retry { table.sampleWaits += 1 }
                return .wait(table: sample.table)
            }
            let result = table.sample(batchSize: Int(sample.batchSize),
                                      importanceExponent: sample.hasImportanceExponent ? sample.importanceExponent : nil)
            return reply(request) { $0.sample = result }
        case .updatePriorities(let update):
            let result = try table(update.table).updatePriorities(update)
            return reply(request) { $0.updatePriorities = result }
        case .info(let info):
            let infos = try info.table.isEmpty ? order.compactMap { tables[$0]?.info } : [table(info.table).info]
            return reply(request) { $0.info = .with { $0.tables = infos } }
        case .reset(let reset):
            try table(reset.table).reset()
            returnFreedMemoryToTheSystem()
            logger.info("reset table \(reset.table.clippedForEcho())")
            return reply(request) { $0.reset = Gym_V1_ResetTableReply() }
        case .checkpoint:
            let url = try writeCheckpoint()
            return reply(request) { $0.checkpoint = .with { $0.path = url.path } }
        case nil:
            throw GymError(.unknownMessage, "request \(request.id) has no body this service knows")
        }
    }

    /// Why a parked call gave up, for its DEADLINE_EXCEEDED reply.
    public func timedOut(_ request: Gym_V1_BufferRequest) -> Gym_V1_BufferResponse {
        var name = ""
        var what = "call"
        if case .sample(let sample) = request.body { name = sample.table; what = "sample of \(sample.batchSize)" }
        if case .insert(let insert) = request.body { name = insert.table; what = "insert" }
        guard let table = tables[name] else { return .failure(id: request.id, GymError(.unknownTable, "no table \(name.clippedForEcho())")) }
        table.timeouts += 1
        let state = "size \(table.size), min size \(table.limit.minSize), inserts \(table.inserts), samples \(table.samples)"
        return .failure(id: request.id, GymError(.timedOut, "\(what) on table \(name) waited its whole timeout for the rate limiter (\(state))"))
    }

    /// Writes every table to the checkpoint directory, after any checkpoint still being written.
    @discardableResult
    public func writeCheckpoint() throws -> URL {
        guard let checkpoints else { throw GymError(.notSupported, "this buffer service has no checkpoint directory (--checkpoint)") }
        let snapshot = order.compactMap { tables[$0]?.checkpoint }
        let sizes = order.map { "\($0) \(tables[$0]?.size ?? 0)" }.joined(separator: ", ")
        let url = try checkpointWriter.sync { try checkpoints.write(snapshot) }
        logger.info("wrote \(url.lastPathComponent) (\(sizes))")
        return url
    }

    /// Copies every table now and writes the copy on a thread of its own, so the service keeps
    /// answering while a large checkpoint is encoded and written (the copy is one memory copy
    /// per column). Returns at once; a failure is logged. Checkpoints are written one at a time.
    public func startCheckpoint() {
        guard let checkpoints else { return }
        // One at a time: a checkpoint due while the last is still being written is skipped,
        // so slow storage never piles up copies of the tables.
        guard checkpointsWriting.tryStart() else {
            logger.notice("checkpoint skipped: the previous one is still being written")
            return
        }
        let writing = checkpointsWriting
        let snapshot = order.compactMap { tables[$0]?.checkpoint }
        let sizes = order.map { "\($0) \(tables[$0]?.size ?? 0)" }.joined(separator: ", ")
        let logger = logger
        checkpointWriter.async {
            defer { writing.finish() }
            do {
                let url = try checkpoints.write(snapshot)
                logger.info("wrote \(url.lastPathComponent) (\(sizes))")
            } catch {
                logger.error("checkpoint failed: \(error)")
            }
        }
    }

    /// Blocks until every checkpoint started so far is written.
    public func waitForCheckpoints() { checkpointWriter.sync {} }
}
