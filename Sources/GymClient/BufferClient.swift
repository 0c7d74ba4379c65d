import Foundation
import GymCore
import GymProtocol
import ZeroMQ

/// A named column of a batch of items: `array` has shape `[batch, ...item shape]`.
public struct TensorColumn: Sendable, Equatable {
    /// The column's name (`obs`, `action`, ...).
    public var name: String
    /// The batch's values of this column.
    public var array: NDArray

    /// Creates a column.
    public init(_ name: String, _ array: NDArray) {
        self.name = name
        self.array = array
    }
}

/// Items a sample returned, with what prioritized replay needs to correct for its bias.
public struct SampledItems: Sendable {
    /// Each column, `[batch, ...item shape]`, by name.
    public var columns: [String: NDArray]
    /// The items' keys, for `updatePriorities`.
    public var keys: [UInt64]
    /// Each item's selection probability.
    public var probabilities: [Double]
    /// Importance weights (all 1 unless the table is prioritized).
    public var weights: [Double]
    /// The table's size when sampled.
    public var tableSize: Int
}

/// Client of a replay-buffer service (`gym buffer`), with a timeout on every call.
///
/// One client per thread: it owns a ZeroMQ socket. Inserts can be pipelined with
/// `sendInsert` and `receiveInsert`.
public final class BufferClient: @unchecked Sendable {
    /// The channel underneath.
    public let channel: ServiceChannel<Gym_V1_BufferRequest, Gym_V1_BufferResponse>
    /// What the service said in the handshake.
    public private(set) var server = Gym_V1_HelloReply()

    /// Connects and performs the version handshake (fails on a version mismatch or timeout).
    public init(endpoint: String, timeout: Double = 10, clientName: String = "gym-swift", context: Context = .shared,
                security: CurveSettings? = nil) throws {
        channel = try ServiceChannel(endpoint: endpoint, timeout: timeout, context: context, security: security)
        server = try channel.call(.with {
            $0.hello = .with { $0.protocolVersion = gymProtocolVersion; $0.clientName = clientName }
        }).hello
    }

    /// The service's endpoint.
    public var endpoint: String { channel.endpoint }

    /// Creates a table, or checks that an existing one has this config; returns its info.
    @discardableResult
    public func createTable(_ config: TableConfig) throws -> TableInfo {
        try TableInfo(wire: channel.call(.with { $0.createTable = .with { $0.config = config.wire } }).createTable.table)
    }

    /// Inserts a batch of items and waits for their keys.
    @discardableResult
    public func insert(table: String, columns: [TensorColumn], priorities: [Double] = [], timeout: Double = 0) throws -> InsertReceipt {
        try receiveInsert(try sendInsert(table: table, columns: columns, priorities: priorities, timeout: timeout), timeout: timeout)
    }

    /// Sends an insert without waiting; `receiveInsert` collects its reply.
    public func sendInsert(table: String, columns: [TensorColumn], priorities: [Double] = [], timeout: Double = 0) throws -> UInt64 {
        try channel.send(.with {
            $0.insert = .with {
                $0.table = table
                $0.columns = columns.map { column in .with { $0.name = column.name; $0.tensor = Gym_V1_Tensor(column.array) } }
                $0.priorities = priorities
                $0.timeoutMs = Self.milliseconds(timeout)
            }
        })
    }

    /// Waits for the reply to an insert sent with `sendInsert`.
    public func receiveInsert(_ id: UInt64, timeout: Double = 0) throws -> InsertReceipt {
        InsertReceipt(wire: try channel.receive(id, extraSeconds: timeout).insert)
    }

    /// Draws `batchSize` items, waiting up to `timeout` seconds for the rate limiter.
    public func sample(table: String, batchSize: Int, timeout: Double = 0, importanceExponent: Double? = nil) throws -> SampledItems {
        try receiveSample(try sendSample(table: table, batchSize: batchSize, timeout: timeout, importanceExponent: importanceExponent),
                          timeout: timeout)
    }

    /// Sends a sample request without waiting; `receiveSample` collects it.
    public func sendSample(table: String, batchSize: Int, timeout: Double = 0, importanceExponent: Double? = nil) throws -> UInt64 {
        try channel.send(.with {
            $0.sample = .with {
                $0.table = table
                $0.batchSize = UInt32(clamping: max(0, batchSize))
                $0.timeoutMs = Self.milliseconds(timeout)
                if let importanceExponent { $0.importanceExponent = importanceExponent }
            }
        })
    }

    /// Waits for a sample sent with `sendSample`.
    public func receiveSample(_ id: UInt64, timeout: Double = 0) throws -> SampledItems {
        let reply = try channel.receive(id, extraSeconds: timeout).sample
        var columns: [String: NDArray] = [:]
        for column in reply.columns { columns[column.name] = try column.tensor.ndarray(limits: .bufferColumn, what: "column \(column.name.clippedForEcho())") }
        let weights = reply.weights.isEmpty ? Array(repeating: 1, count: reply.keys.count) : reply.weights
        return SampledItems(columns: columns, keys: reply.keys, probabilities: reply.probabilities, weights: weights,
                            tableSize: Int(reply.tableSize))
    }

    /// Sets new priorities for sampled items; returns how many were still in the table.
    @discardableResult
    public func updatePriorities(table: String, keys: [UInt64], priorities: [Double]) throws -> PriorityUpdateCounts {
        PriorityUpdateCounts(wire: try channel.call(.with {
            $0.updatePriorities = .with { $0.table = table; $0.keys = keys; $0.priorities = priorities }
        }).updatePriorities)
    }

    /// One table's info.
    public func info(table: String) throws -> TableInfo {
        guard let info = try channel.call(.with { $0.info = .with { $0.table = table } }).info.tables.first else {
            throw GymError(.unknownTable, "the service sent no info for table \(table)")
        }
        return try TableInfo(wire: info)
    }

    /// Every table's info.
    public func tables() throws -> [TableInfo] {
        try channel.call(.with { $0.info = Gym_V1_Info() }).info.tables.map(TableInfo.init(wire:))
    }

    /// Removes every item of a table.
    public func reset(table: String) throws {
        _ = try channel.call(.with { $0.reset = .with { $0.table = table } })
    }

    /// Asks the service to write a checkpoint; returns its path.
    @discardableResult
    public func checkpoint() throws -> String {
        try channel.call(.with { $0.checkpoint = Gym_V1_Checkpoint() }).checkpoint.path
    }

    static func milliseconds(_ seconds: Double) -> UInt32 {
        UInt32(clamping: Int((max(0, seconds) * 1000).rounded()))
    }
}
