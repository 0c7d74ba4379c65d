import Foundation
import GymCore
import GymProtocol
import Testing
@testable import BufferService

/// Issue 13's buffer crashers: each request once aborted `gym buffer` (an allocation of tens of
/// GiB or an overflow trap) or bloated it. Each must now be a typed error reply, changing nothing.
@Suite struct HostileRequestTests {
    static let huge = Int64(Int32.max)

    func expectError(_ service: BufferService, _ request: Gym_V1_BufferRequest, _ code: Gym_V1_ErrorCode,
                     sourceLocation: SourceLocation = #_sourceLocation) throws {
        let response = try reply(service, request)
        #expect(response.hasError, sourceLocation: sourceLocation)
        #expect(response.error.code == code, "got \(response.error.code): \(response.error.message)", sourceLocation: sourceLocation)
        #expect(response.error.message.utf8.count < 1000, sourceLocation: sourceLocation)
    }

    static func create(_ name: String, maxSize: UInt64, selector: Gym_V1_Selector = .uniform,
                       signature: [Gym_V1_ColumnSpec] = []) -> Gym_V1_BufferRequest {
        .with { $0.createTable = .with { $0.config = .with {
            $0.name = name; $0.maxSize = maxSize; $0.selector = selector; $0.signature = signature
            $0.priorityExponent = 0.6; $0.importanceExponent = 0.4
        } } }
    }

    static func column(_ name: String, _ dtype: Gym_V1_DType, _ shape: [Int64]) -> Gym_V1_ColumnSpec {
        .with { $0.name = name; $0.dtype = dtype; $0.shape = shape }
    }

    static func insert(_ shape: [Int64], table: String = "t") -> Gym_V1_BufferRequest {
        .with { $0.insert = .with {
            $0.table = table
            $0.columns = [.with { $0.name = "value"; $0.tensor = .with { $0.dtype = .float64; $0.shape = shape; $0.data = Data(count: 8) } }]
        } }
    }

    @Test func sampleOfFourBillionItemsIsRejected() throws {
        let service = try BufferService(tables: [config("t,max-size=10")])
        _ = try reply(service, items(0, 3))
        try expectError(service, .with { $0.sample = .with { $0.table = "t"; $0.batchSize = UInt32.max } }, .invalidArgument)
        // A batch whose reply would not fit one message, though under the item cap.
        let small = try BufferService(tables: [config("t,max-size=10")], limits: BufferLimits(maxReplyBytes: 1 << 10))
        _ = try reply(small, items(0, 3))
        try expectError(small, .with { $0.sample = .with { $0.table = "t"; $0.batchSize = 1000 } }, .invalidArgument)
        #expect(try sample(service, batch: 3).sample.keys.count == 3)
    }

    @Test(arguments: [[huge, huge, huge], [1, huge, huge], [huge, huge], [Int64.max], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]])
    func insertWithAbsurdShapeIsRejected(shape: [Int64]) throws {
        // Into a table whose columns the insert would fix, and into one with fixed columns.
        let fresh = try BufferService(tables: [config("t,max-size=10")])
        try expectError(fresh, Self.insert(shape), .malformed)
        #expect(fresh.info("t")?.columns.isEmpty == true)
        let fixed = try BufferService(tables: [config("t,max-size=10")])
        _ = try reply(fixed, items(0, 2))
        try expectError(fixed, Self.insert(shape), .malformed)
        #expect(fixed.info("t")?.size == 2)
    }

    @Test func createTableWithOverflowingSignatureIsRejected() throws {
        let service = try BufferService(tables: [])
        try expectError(service, Self.create("a", maxSize: 10, signature: [Self.column("x", .float64, [Self.huge, Self.huge])]), .invalidArgument)
        try expectError(service, Self.create("b", maxSize: 10, signature: [Self.column("x", .float64, [Self.huge, Self.huge, Self.huge])]), .invalidArgument)
        #expect(service.tableNames.isEmpty)
    }

    @Test func createTableBeyondTheByteLimitIsRejected() throws {
        let service = try BufferService(tables: [], limits: BufferLimits(maxTableBytes: 1 << 30))
        // 2^31 items of 8 KiB: 16 TiB.
        try expectError(service, Self.create("big", maxSize: 1 << 31, signature: [Self.column("x", .float64, [1024])]), .quotaExceeded)
        // A prioritized table's priorities alone: over 2^31 doubles.
        try expectError(service, Self.create("prio", maxSize: 1 << 31, selector: .prioritized), .quotaExceeded)
        // Without a signature the first insert is checked instead, and fixes nothing when refused.
        _ = try reply(service, Self.create("later", maxSize: 1 << 24))
        var wide = items(0, 1, table: "later")
        wide.insert.columns[1].tensor = Gym_V1_Tensor(NDArray(dtype: .float32, shape: [1, 1024], values: Array(repeating: 0, count: 1024)))
        try expectError(service, wide, .quotaExceeded)
        #expect(service.info("later")?.columns.isEmpty == true)
        #expect(try reply(service, items(0, 1, table: "later")).insert.count == 1)
    }

    @Test func anEmptyTableCostsKilobytes() throws {
        let service = try BufferService(tables: [])
        // 1 Mi items of 4 KiB: 4 GiB when full, nothing while empty.
        _ = try reply(service, Self.create("t", maxSize: 1 << 20, signature: [Self.column("x", .float32, [1024])]))
        _ = try reply(service, Self.create("p", maxSize: 1 << 20, selector: .prioritized))
        let table = try #require(service.tables["t"])
        #expect(table.columns.allSatisfy { $0.allocatedSlots == 0 })
        #expect(try #require(service.tables["p"]).treeLeaves <= 64)
        _ = try reply(service, .with { $0.insert = .with {
            $0.table = "t"
            $0.columns = [.with { $0.name = "x"; $0.tensor = Gym_V1_Tensor(NDArray(dtype: .float32, shape: [3, 1024], values: Array(repeating: 1, count: 3072))) }]
        } })
        #expect(table.columns.allSatisfy { $0.allocatedSlots <= 16 })
    }

    @Test func theNumberOfTablesIsBounded() throws {
        let service = try BufferService(tables: [config("a")], limits: BufferLimits(maxTables: 3))
        _ = try reply(service, Self.create("b", maxSize: 10))
        _ = try reply(service, Self.create("c", maxSize: 10))
        try expectError(service, Self.create("d", maxSize: 10), .quotaExceeded)
        #expect(service.tableNames == ["a", "b", "c"])
        // Asking again for an existing table is not a new one.
        #expect(try reply(service, Self.create("c", maxSize: 10)).createTable.created == false)
        #expect(throws: GymError.self) { try BufferService(tables: [config("a"), config("b")], limits: BufferLimits(maxTables: 1)) }
    }

    @Test func absurdPrioritiesAndExponentsAreRejected() throws {
        let service = try BufferService(tables: [config("t,selector=prioritized,max-size=100")])
        _ = try reply(service, items(0, 2, priorities: [1, 2]))
        try expectError(service, items(0, 1, priorities: [1e308]), .invalidArgument)
        try expectError(service, items(0, 1, priorities: [-1]), .invalidArgument)
        try expectError(service, items(0, 1, priorities: [.infinity]), .invalidArgument)
        try expectError(service, .with { $0.updatePriorities = .with { $0.table = "t"; $0.keys = [0]; $0.priorities = [1e300] } }, .invalidArgument)
        var config = Self.create("u", maxSize: 10, selector: .prioritized)
        config.createTable.config.priorityExponent = 1e300
        try expectError(service, config, .invalidArgument)
        config.createTable.config.priorityExponent = 0.6
        config.createTable.config.importanceExponent = 11
        try expectError(service, config, .invalidArgument)
        try expectError(service, .with { $0.sample = .with { $0.table = "t"; $0.batchSize = 2; $0.importanceExponent = 1e300 } }, .invalidArgument)
        // The table still samples with finite probabilities and weights.
        let drawn = try sample(service, batch: 16).sample
        #expect(drawn.probabilities.allSatisfy { $0 > 0 && $0.isFinite } && drawn.weights.allSatisfy { $0.isFinite })
    }

    @Test func aRejectedFirstInsertDoesNotFixTheColumns() throws {
        let service = try BufferService(tables: [config("t,selector=prioritized,max-size=10")])
        try expectError(service, items(0, 2, priorities: [1]), .invalidArgument)
        try expectError(service, items(0, 2, priorities: [.nan, 1]), .invalidArgument)
        #expect(service.info("t")?.columns.isEmpty == true)
        // Another signature is still free to be the first.
        let other = Gym_V1_BufferRequest.with { $0.insert = .with {
            $0.table = "t"
            $0.columns = [.with { $0.name = "obs"; $0.tensor = Gym_V1_Tensor(NDArray(dtype: .int64, shape: [2, 3], values: Array(repeating: 1, count: 6))) }]
        } }
        #expect(try reply(service, other).insert.count == 2)
        #expect(service.info("t")?.columns.map(\.name) == ["obs"])
    }

    /// A crafted checkpoint is MALFORMED, never a trap or garbage: keys that overflow, keys
    /// with gaps, absurd counters and priorities, a missing column.
    @Test func craftedCheckpointsAreRejected() throws {
        let service = try BufferService(tables: [config("t,selector=prioritized,max-size=8")])
        _ = try reply(service, items(0, 3, priorities: [1, 2, 3]))
        let good = try #require(service.tableCheckpoint("t"))
        #expect(try ReplayTable(checkpoint: good).size == 3)
        var overflowing = good
        overflowing.keys = [UInt64.max - 1, UInt64.max, 0]
        overflowing.info.nextKey = 1
        var gapped = good
        gapped.keys = [0, 2, 3]
        gapped.info.nextKey = 3
        var poisoned = good
        poisoned.priorities = [1, 1e308, 1]
        var missing = good
        missing.columns.removeLast()
        for (what, saved) in [("overflowing keys", overflowing), ("gapped keys", gapped), ("priorities", poisoned), ("missing column", missing)] {
            let error = try #require(throws: GymError.self, "\(what)") { try ReplayTable(checkpoint: saved) }
            #expect(error.code == .malformed, "\(what)")
        }
        var counters = good
        counters.info.inserts = UInt64.max
        #expect(try ReplayTable(checkpoint: counters).inserts == Int.max)
    }

    /// The sum tree grows with the items; what it samples matches the priorities throughout.
    @Test func aGrowingPrioritizedTableSamplesByPriority() throws {
        let service = try BufferService(tables: [config("t,selector=prioritized,max-size=5000,alpha=1,beta=1")])
        var priorities: [Double] = []
        for batch in 0..<20 {
            let values = (0..<100).map { Double(batch * 100 + $0 + 1) }
            priorities += values
            _ = try reply(service, items(batch * 100, 100, priorities: values))
        }
        #expect(try #require(service.tables["t"]).treeLeaves >= 2000)
        let total = priorities.reduce(0, +)
        let drawn = try sample(service, batch: 256).sample
        for (key, probability) in zip(drawn.keys, drawn.probabilities) {
            #expect(abs(probability - priorities[Int(key)] / total) < 1e-12)
        }
    }
}
