import Foundation
import GymClient
import GymCore
import GymProtocol
import Logging
import Testing
import ZeroMQ
@testable import BufferService

/// The columns of `items(start, count)` as a client sends them.
func clientColumns(_ start: Int, _ count: Int) -> [TensorColumn] {
    items(start, count).insert.columns.map { TensorColumn($0.name, try! $0.tensor.ndarray()) }
}

/// Starts a server with `tables` on `bind` (an `inproc://` name made unique per call, since the
/// suite's tests run side by side); stop it with `shutdown()`.
func startServer(_ bind: String, tables: [String], checkpoints: CheckpointStore? = nil) throws -> BufferServer {
    let unique = bind.hasPrefix("inproc://") ? "\(bind)-\(UUID().uuidString)" : bind
    let server = BufferServer(bind: unique, service: try BufferService(tables: tables.map(config), checkpoints: checkpoints))
    try server.start()
    return server
}

@Suite struct ServerTests {
    static let endpoints = ["inproc://buffer-tests-\(UUID().uuidString)", "tcp://127.0.0.1:*"]

    @Test(arguments: endpoints)
    func clientInsertsSamplesUpdatesAndReads(_ bind: String) throws {
        let server = try startServer(bind, tables: ["t,selector=prioritized,max-size=100"])
        defer { server.shutdown() }
        let client = try BufferClient(endpoint: server.endpoint, timeout: 5)
        #expect(client.server.protocolVersion == gymProtocolVersion)
        let first = try client.insert(table: "t", columns: clientColumns(0, 10), priorities: Array(repeating: 1, count: 10))
        #expect(first.firstKey == 0 && first.count == 10)
        // Pipelined inserts come back in order with consecutive keys.
        let ids = try (1...3).map { try client.sendInsert(table: "t", columns: clientColumns($0 * 10, 10)) }
        #expect(try ids.map { try client.receiveInsert($0).firstKey } == [10, 20, 30])
        let drawn = try client.sample(table: "t", batchSize: 32)
        #expect(drawn.keys.count == 32 && drawn.tableSize == 40)
        let values = try #require(drawn.columns["value"]).doubles
        #expect(zip(drawn.keys, values).allSatisfy { Double($0) == $1 })
        #expect(drawn.weights.count == 32 && drawn.weights.allSatisfy { $0 > 0 && $0 <= 1 })
        let update = try client.updatePriorities(table: "t", keys: [0, 1, 1000], priorities: [2, 3, 4])
        #expect(update.updated == 2 && update.missing == 1)
        let info = try client.info(table: "t")
        #expect(info.size == 40 && info.inserts == 40 && info.samples == 32)
        #expect(info.columns.map(\.name) == ["value", "vec"] && info.columns[1].shape == [2])
        try client.reset(table: "t")
        #expect(try client.info(table: "t").size == 0)
        // A created table shows up; an unknown one is a typed error.
        #expect(try client.createTable(TableConfig(wire: config("fresh,selector=fifo,max-size=5"))).config.name == "fresh")
        #expect(try client.tables().map(\.config.name) == ["t", "fresh"])
        #expect(throws: GymError(.unknownTable, "no table gone; tables: t, fresh")) { try client.sample(table: "gone", batchSize: 1) }
    }

    @Test(arguments: endpoints)
    func aWaitingSampleDoesNotBlockOtherClients(_ bind: String) throws {
        let server = try startServer(bind, tables: ["t,min-size=5"])
        defer { server.shutdown() }
        let waiter = try BufferClient(endpoint: server.endpoint, timeout: 5)
        let other = try BufferClient(endpoint: server.endpoint, timeout: 5)
        let id = try waiter.sendSample(table: "t", batchSize: 4, timeout: 5)
        // Once that sample waits for five items, another client is still answered at once.
        var waits = 0
        for _ in 0..<200 where waits == 0 {
            waits = try other.info(table: "t").sampleWaits
            if waits == 0 { Thread.sleep(forTimeInterval: 0.01) }
        }
        #expect(waits == 1)
        let started = DispatchTime.now().uptimeNanoseconds
        _ = try other.insert(table: "t", columns: clientColumns(0, 3))
        #expect(DispatchTime.now().uptimeNanoseconds - started < 1_000_000_000)
        _ = try other.insert(table: "t", columns: clientColumns(3, 2))
        let drawn = try waiter.receiveSample(id, timeout: 5)
        #expect(drawn.keys.count == 4 && drawn.keys.allSatisfy { $0 < 5 })
    }

    @Test func aSampleThatWaitsTooLongGetsDeadlineExceeded() throws {
        let server = try startServer("tcp://127.0.0.1:*", tables: ["t,min-size=5"])
        defer { server.shutdown() }
        let client = try BufferClient(endpoint: server.endpoint, timeout: 5)
        let started = DispatchTime.now().uptimeNanoseconds
        do {
            _ = try client.sample(table: "t", batchSize: 1, timeout: 0.2)
            Issue.record("an empty table cannot be sampled")
        } catch let error as GymError {
            #expect(error.code == .timedOut && error.message.contains("rate limiter"))
        }
        let waited = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        #expect(waited >= 0.19 && waited < 2, "waited \(waited) s")
        #expect(try client.info(table: "t").timeouts == 1)
        // Timeout 0 does not wait at all.
        #expect(throws: GymError.self) { try client.sample(table: "t", batchSize: 1) }
    }

    @Test func aClientWhoseServiceIsGoneTimesOut() throws {
        let server = try startServer("tcp://127.0.0.1:*", tables: ["t"])
        let client = try BufferClient(endpoint: server.endpoint, timeout: 0.3)
        _ = try client.insert(table: "t", columns: clientColumns(0, 1))
        server.shutdown()
        let started = DispatchTime.now().uptimeNanoseconds
        #expect(throws: GymError.self) { try client.sample(table: "t", batchSize: 1) }
        let waited = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        #expect(waited >= 0.25 && waited < 3, "waited \(waited) s")
        // Nobody ever listening: the handshake itself times out.
        #expect(throws: GymError.self) { try BufferClient(endpoint: "tcp://127.0.0.1:9", timeout: 0.2) }
    }

    @Test func malformedRequestsGetErrorsAndTheServerGoesOn() throws {
        let server = try startServer("tcp://127.0.0.1:*", tables: ["t"])
        defer { server.shutdown() }
        let socket = try Socket(.shared, .dealer)
        try socket.setReceiveTimeout(milliseconds: 3000)
        try socket.connect(server.endpoint)
        try socket.send([0x08, 0x07, 0xff, 0xff])
        let reply = try Gym_V1_BufferResponse(serializedBytes: try socket.receiveMessage().last ?? [])
        #expect(reply.id == 7 && reply.error.code == .malformed)
        try socket.send(frames: [[1], [2]])
        #expect(try Gym_V1_BufferResponse(serializedBytes: try socket.receiveMessage().last ?? []).error.code == .malformed)
        let client = try BufferClient(endpoint: server.endpoint, timeout: 5)
        #expect(try client.insert(table: "t", columns: clientColumns(0, 2)).count == 2)
    }

    @Test func gracefulStopWritesACheckpointTheNextServerRestores() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("buffer-server-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try CheckpointStore(directory: directory)
        let first = try startServer("tcp://127.0.0.1:*", tables: ["t,max-size=50"], checkpoints: store)
        let client = try BufferClient(endpoint: first.endpoint, timeout: 5)
        _ = try client.insert(table: "t", columns: clientColumns(0, 60))
        let before = try client.info(table: "t")
        first.shutdown()
        let second = try startServer("tcp://127.0.0.1:*", tables: ["t,max-size=50"], checkpoints: store)
        defer { second.shutdown() }
        let again = try BufferClient(endpoint: second.endpoint, timeout: 5)
        #expect(try again.info(table: "t") == before)
        #expect(Set(try #require(again.sample(table: "t", batchSize: 400).columns["value"]).doubles) == Set((10..<60).map(Double.init)))
    }
}
