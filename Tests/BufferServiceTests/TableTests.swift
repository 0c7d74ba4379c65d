import Foundation
import GymCore
import GymProtocol
import Testing
@testable import BufferService

/// A batch of `count` items whose `value` column holds `start ..< start + count` (float64) and
/// whose `vec` column holds [value, -value] (float32).
func items(_ start: Int, _ count: Int, table: String = "t", priorities: [Double] = []) -> Gym_V1_BufferRequest {
    let values = (start..<(start + count)).map(Double.init)
    return .with {
        $0.insert = .with {
            $0.table = table
            $0.columns = [
                .with { $0.name = "value"; $0.tensor = Gym_V1_Tensor(NDArray(dtype: .float64, shape: [count], values: values)) },
                .with { $0.name = "vec"; $0.tensor = Gym_V1_Tensor(NDArray(dtype: .float32, shape: [count, 2], values: values.flatMap { [$0, -$0] })) },
            ]
            $0.priorities = priorities
        }
    }
}

func config(_ spec: String) throws -> Gym_V1_TableConfig { try Gym_V1_TableConfig(spec: spec) }

func reply(_ service: BufferService, _ request: Gym_V1_BufferRequest) throws -> Gym_V1_BufferResponse {
    guard case .reply(let response) = service.handle(request) else { throw GymError(.internalError, "the call was held back") }
    return response
}

func sample(_ service: BufferService, _ table: String = "t", batch: Int) throws -> Gym_V1_BufferResponse {
    try reply(service, .with { $0.sample = .with { $0.table = table; $0.batchSize = UInt32(batch) } })
}

func values(_ reply: Gym_V1_SampleReply) throws -> [Double] {
    try #require(reply.columns.first { $0.name == "value" }).tensor.ndarray().doubles
}

@Suite struct TableTests {
    @Test func uniformSamplesComeFromTheNewestMaxSizeItems() throws {
        let service = try BufferService(tables: [config("t,max-size=10")])
        let inserted = try reply(service, items(0, 25)).insert
        #expect(inserted.firstKey == 0 && inserted.count == 25 && inserted.tableSize == 10)
        let info = try #require(service.info("t"))
        #expect(info.size == 10 && info.inserts == 25 && info.evictions == 15 && info.nextKey == 25)
        let drawn = try sample(service, batch: 500).sample
        let got = try values(drawn)
        #expect(got.count == 500)
        #expect(Set(got) == Set((15..<25).map(Double.init)), "every live item, and only those")
        for (key, value) in zip(drawn.keys, got) { #expect(Double(key) == value) }
        let vec = try #require(drawn.columns.first { $0.name == "vec" }).tensor.ndarray()
        #expect(vec.shape == [500, 2])
        #expect(zip(got, stride(from: 0, to: 1000, by: 2).map { vec.floats[$0] }).allSatisfy { Float($0) == $1 })
        #expect(drawn.probabilities.allSatisfy { abs($0 - 0.1) < 1e-12 } && drawn.weights.isEmpty)
    }

    @Test func aResetTableReturnsItsMemoryAndServesOnlyWhatComesAfter() throws {
        let service = try BufferService(tables: [config("t,max-size=1000")])
        _ = try reply(service, items(0, 700))
        let table = try #require(service.tables["t"])
        #expect(table.columns.allSatisfy { $0.allocatedSlots >= 700 })
        _ = try reply(service, .with { $0.reset = .with { $0.table = "t" } })
        #expect(table.columns.allSatisfy { $0.allocatedSlots == 0 }, "a reset table holds no item memory")
        // New items land at slots past the old ones (keys keep growing); they read back intact.
        let inserted = try reply(service, items(5000, 500)).insert
        #expect(inserted.firstKey == 700 && inserted.tableSize == 500)
        let drawn = try sample(service, batch: 2000).sample
        let got = try values(drawn)
        #expect(got.count == 2000)
        for (key, value) in zip(drawn.keys, got) { #expect(value == Double(key - 700 + 5000)) }
    }

    @Test func prioritizedSamplingFollowsPrioritiesToTheAlpha() throws {
        let service = try BufferService(tables: [config("t,selector=prioritized,max-size=100,alpha=0.5,beta=1")])
        // Priorities 1, 4, 9, 16: to the power 0.5 that is 1:2:3:4.
        _ = try reply(service, items(0, 4, priorities: [1, 4, 9, 16]))
        let drawn = try sample(service, batch: 20_000).sample
        let got = try values(drawn)
        for value in 0..<4 {
            let share = Double(got.filter { $0 == Double(value) }.count) / Double(got.count)
            #expect(abs(share - Double(value + 1) / 10) < 0.02, "item \(value): share \(share)")
        }
        // w = (N P)^-beta normalized by the batch maximum: the rarest item weighs 1.
        for (value, weight) in zip(got, drawn.weights) {
            #expect(abs(weight - 1 / (value + 1)) < 1e-9)
        }
        // Updating makes item 0 the only one with mass.
        let update = try reply(service, .with { $0.updatePriorities = .with { $0.table = "t"; $0.keys = [1, 2, 3, 99]; $0.priorities = [0, 0, 0, 5] } })
        #expect(update.updatePriorities.updated == 3 && update.updatePriorities.missing == 1)
        #expect(try values(sample(service, batch: 200).sample).allSatisfy { $0 == 0 })
    }

    @Test func fifoReturnsTheOldestItemsOnceAndWaitsForAWholeBatch() throws {
        let service = try BufferService(tables: [config("t,selector=fifo,max-size=100")])
        _ = try reply(service, items(0, 5))
        #expect(try values(sample(service, batch: 3).sample) == [0, 1, 2])
        guard case .wait = service.handle(.with { $0.sample = .with { $0.table = "t"; $0.batchSize = 3 } }) else {
            Issue.record("two items left cannot make a batch of 3")
            return
        }
        _ = try reply(service, items(5, 1))
        #expect(try values(sample(service, batch: 3).sample) == [3, 4, 5])
        #expect(service.info("t")?.size == 0)
    }

    @Test func rateLimiterHoldsSamplesAndInsertsToTheRatio() throws {
        let service = try BufferService(tables: [config("t,min-size=4,samples-per-insert=2,error-buffer=4")])
        _ = try reply(service, items(0, 3))
        guard case .wait = service.handle(.with { $0.sample = .with { $0.table = "t"; $0.batchSize = 1 } }) else {
            Issue.record("3 items are below min-size 4")
            return
        }
        _ = try reply(service, items(3, 1))
        // diff = 4·2 − 0 = 8 ≥ target 8 − 4: samples go while diff ≥ 4.
        _ = try sample(service, batch: 3)
        _ = try sample(service, batch: 2)
        guard case .wait = service.handle(.with { $0.sample = .with { $0.table = "t"; $0.batchSize = 1 } }) else {
            Issue.record("diff 8 − 5 = 3 < 4 holds samples back")
            return
        }
        // Inserts go while diff ≤ target + 4 = 12: 3 → 13 with five more items, then they wait.
        _ = try reply(service, items(4, 5))
        guard case .wait = service.handle(items(9, 1)) else {
            Issue.record("diff 18 − 5 = 13 > 12 holds inserts back")
            return
        }
        #expect(service.info("t")?.insertWaits == 1 && service.info("t")?.sampleWaits == 2)
    }

    @Test func badInsertsAreTypedErrorsAndChangeNothing() throws {
        let service = try BufferService(tables: [config("t,max-size=10")])
        _ = try reply(service, items(0, 2))
        var wrongShape = items(0, 2)
        wrongShape.insert.columns[1].tensor = Gym_V1_Tensor(NDArray(dtype: .float32, shape: [2, 3], values: Array(repeating: 0, count: 6)))
        var shortData = items(0, 2)
        shortData.insert.columns[0].tensor.data.removeLast()
        var missing = items(0, 2)
        missing.insert.columns.removeLast()
        let cases: [(Gym_V1_BufferRequest, Gym_V1_ErrorCode)] = [
            (wrongShape, .invalidArgument), (shortData, .malformed), (missing, .invalidArgument),
            (items(0, 2, table: "nope"), .unknownTable), (items(0, 2, priorities: [1]), .invalidArgument),
            (items(0, 1, priorities: [.nan]), .invalidArgument),
            (.with { $0.sample = .with { $0.table = "t"; $0.batchSize = 0 } }, .invalidArgument),
            (.with { $0.updatePriorities = .with { $0.table = "t"; $0.keys = [0] } }, .invalidArgument),
            (.with { $0.checkpoint = Gym_V1_Checkpoint() }, .notSupported),
            (.with { $0.hello = .with { $0.protocolVersion = 99 } }, .unsupportedVersion),
            (Gym_V1_BufferRequest(), .unknownMessage),
            (.with { $0.createTable = .with { $0.config = .with { $0.name = "t"; $0.maxSize = 11 } } }, .invalidArgument),
            (.with { $0.createTable = .with { $0.config = .with { $0.name = "u"; $0.maxSize = 0 } } }, .invalidArgument),
        ]
        for (request, code) in cases {
            let response = try reply(service, request)
            #expect(response.error.code == code, "\(request)")
        }
        #expect(service.info("t")?.size == 2 && service.info("t")?.inserts == 2)
    }

    @Test func checkpointRestoresItemsKeysPrioritiesAndCounters() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("buffer-ckpt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try CheckpointStore(directory: directory)
        let first = try BufferService(tables: [config("t,selector=prioritized,max-size=8"), config("u,max-size=4")], checkpoints: store)
        _ = try reply(first, items(0, 11, priorities: (0..<11).map { Double($0 + 1) }))
        _ = try reply(first, items(100, 2, table: "u"))
        _ = try sample(first, batch: 5)
        let path = try reply(first, .with { $0.checkpoint = Gym_V1_Checkpoint() }).checkpoint.path
        #expect(FileManager.default.fileExists(atPath: path))

        let second = try BufferService(tables: [config("t,selector=prioritized,max-size=8")], checkpoints: store)
        #expect(second.tableNames == ["t", "u"])
        #expect(second.info("t") == first.info("t"))
        #expect(second.info("u") == first.info("u"))
        let before = try #require(ReplayTableAccess.checkpoint(first, "t"))
        let after = try #require(ReplayTableAccess.checkpoint(second, "t"))
        #expect(before == after)
        #expect(after.keys == Array(3..<11) && after.priorities == (3..<11).map { Double($0 + 1) })
        // Keys go on from where they were.
        #expect(try reply(second, items(50, 1)).insert.firstKey == 11)
        // A table configured differently from its checkpoint is refused.
        #expect(throws: GymError.self) { try BufferService(tables: [config("t,max-size=8")], checkpoints: store) }
    }

    @Test func tableSpecsParseAndRejectNonsense() throws {
        let parsed = try config("replay,selector=prioritized,max-size=500,alpha=0.7,beta=0.5,min-size=10,samples-per-insert=4,error-buffer=2")
        #expect(parsed.name == "replay" && parsed.selector == .prioritized && parsed.maxSize == 500)
        #expect(parsed.priorityExponent == 0.7 && parsed.importanceExponent == 0.5)
        #expect(parsed.rateLimiter.minSizeToSample == 10 && parsed.rateLimiter.samplesPerInsert == 4 && parsed.rateLimiter.errorBuffer == 2)
        for bad in ["", "selector=uniform", "t,selector=lifo", "t,max-size=0", "t,alpha=-1", "t,colour=red", "t,max-size"] {
            #expect(throws: GymError.self, "\(bad)") { try config(bad) }
        }
    }
}

/// Reads a table's checkpoint through the service, for comparisons.
enum ReplayTableAccess {
    static func checkpoint(_ service: BufferService, _ name: String) -> Gym_V1_TableCheckpoint? {
        service.tableCheckpoint(name)
    }
}

@Suite struct SumTreeTests {
    @Test(arguments: [1, 7, 8, 9, 64, 65, 1000, 4097])
    func findsTheLeafWhereTheRunningSumPassesTheMass(_ capacity: Int) {
        var tree = SumTree(capacity: capacity)
        for index in 0..<capacity { tree.set(index, Double(index % 3)) }
        let total = (0..<capacity).reduce(0.0) { $0 + Double($1 % 3) }
        #expect(tree.total == total)
        var running = 0.0
        for index in 0..<capacity where index % 3 != 0 {
            // The first and the last bit of each leaf's share land on that leaf.
            #expect(tree.find(running) == index)
            running += Double(index % 3)
            #expect(tree.find(running - 1e-9) == index)
        }
        tree.set(capacity - 1, 0)
        for index in 0..<capacity { tree.set(index, 0) }
        #expect(tree.total == 0)
    }
}
