import Foundation
import GymCore
import GymProtocol
import GymTestSupport
import Testing
import ZeroMQ

/// `gym serve` as a process: a plugin step that never returns is cut off while the worker's
/// other clients keep stepping, SIGTERM stops the daemon within --shutdown-timeout even then,
/// and SIGTERM under load answers every request in flight.
@Suite(.serialized) struct ServeShutdownTests {
    /// The stuck plugin, built into a directory of its own.
    static let stuckPlugins: String = {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../PluginTests/Fixtures/build_fixtures.sh").standardized.path
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("gym-stuck-plugin-\(getpid())").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script, "--stuck", out]
        try? process.run()
        process.waitUntilExit()
        return out
    }()

    /// A DEALER speaking the daemon protocol.
    final class Client {
        let socket: Socket
        init(_ endpoint: String) throws {
            socket = try Socket(.shared, .dealer)
            try socket.setReceiveTimeout(milliseconds: 10_000)
            try socket.connect(endpoint)
        }
        func send(_ id: UInt64, _ body: Gym_V1_Request.OneOf_Body) throws {
            try socket.send(try Gym_V1_Request.with { $0.id = id; $0.body = body }.serializedBytes())
        }
        func receive() throws -> Gym_V1_Response { try Gym_V1_Response(serializedBytes: try socket.receiveMessage().last ?? []) }
        func call(_ id: UInt64, _ body: Gym_V1_Request.OneOf_Body) throws -> Gym_V1_Response {
            try send(id, body)
            return try receive()
        }
        func ready(_ env: String) throws -> UInt64 {
            let handle = try call(1, .make(.with { $0.envID = env; $0.numEnvs = 1 })).make.handle
            _ = try call(2, .reset(.with { $0.handle = handle; $0.seeds = [1] }))
            return handle
        }
        static func step(_ handle: UInt64, _ action: Int64) -> Gym_V1_Request.OneOf_Body {
            .step(.with { $0.handle = handle; $0.actions = [Gym_V1_Tensor(NDArray(dtype: .int64, shape: [1], values: [Double(action)]))] })
        }
    }

    static func serve(_ extra: [String]) throws -> (GymProcess, String) {
        let port = freePort()
        let daemon = try GymProcess(["serve", "--bind", "tcp://127.0.0.1:\(port)", "--log-level", "info"] + extra)
        guard daemon.waitForStderr("listening on", seconds: 30) != nil else {
            throw GymError(.timedOut, "gym serve did not start: \(daemon.stderr)")
        }
        return (daemon, "tcp://127.0.0.1:\(port)")
    }

    @Test func aStuckPluginIsCutOffAndSIGTERMStillStopsTheDaemonInTime() throws {
        let (daemon, endpoint) = try Self.serve(["--plugins", Self.stuckPlugins, "--workers", "1",
                                                 "--step-timeout", "0.5", "--shutdown-timeout", "2"])
        let stuckClient = try Client(endpoint)
        let stuck = try stuckClient.ready("Stuck-v0")
        let other = try Client(endpoint)
        let cartPole = try other.ready("CartPole-v1")

        try stuckClient.send(3, Client.step(stuck, 1))
        for id in UInt64(10)..<20 {
            let reply = try other.call(id, Client.step(cartPole, 0))
            #expect(reply.id == id && !reply.hasError, "\(reply.error.message)")
        }
        let cutOff = try stuckClient.receive()
        #expect(cutOff.id == 3 && cutOff.error.code == .deadlineExceeded && cutOff.error.message.contains("Stuck-v0"),
                "\(cutOff.error.code): \(cutOff.error.message)")

        // A second stuck step, then SIGTERM before the watchdog acts: the daemon still stops.
        let second = try stuckClient.ready("Stuck-v0")
        try stuckClient.send(4, Client.step(second, 1))
        usleep(100_000)
        kill(daemon.pid, SIGTERM)
        let answer = try stuckClient.receive()
        #expect(answer.id == 4 && [.shuttingDown, .deadlineExceeded].contains(answer.error.code), "\(answer.error.code): \(answer.error.message)")
        // Bounded so the test fails rather than hangs; the daemon's own bound is 2 s.
        #expect(daemon.waitForExit(seconds: 10) != nil, "gym serve did not stop: \(daemon.stderr)")
    }

    @Test func sigtermUnderLoadAnswersEveryRequestInFlight() throws {
        let (daemon, endpoint) = try Self.serve(["--workers", "2", "--shutdown-timeout", "5"])
        let clients = 4
        let results = Results()
        let group = DispatchGroup()
        for index in 0..<clients {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                do {
                    // Keeps 32 steps in flight until the daemon says it is stopping, then reads
                    // what is still owed.
                    let client = try Client(endpoint)
                    let handle = try client.ready("CartPole-v1")
                    var sent = 0, answered = 0, odd = 0, refused = 0, nextID: UInt64 = 100
                    while true {
                        while refused == 0 && sent - answered < 32 {
                            try client.send(nextID, Client.step(handle, Int64(nextID % 2)))
                            nextID += 1
                            sent += 1
                        }
                        if refused > 0 && answered == sent { break }
                        let reply = try client.receive()
                        answered += 1
                        if reply.error.code == .shuttingDown { refused += 1 } else if reply.hasError && reply.error.code != .resetNeeded { odd += 1 }
                    }
                    results.add(client: index, sent: sent, answered: answered, odd: odd)
                } catch {
                    results.fail("client \(index): \(error)")
                }
            }
        }
        usleep(500_000)
        kill(daemon.pid, SIGTERM)
        #expect(group.wait(timeout: .now() + 30) == .success)
        #expect(daemon.waitForExit(seconds: 10) != nil, "\(daemon.stderr)")
        #expect(results.failures.isEmpty, "\(results.failures)")
        #expect(results.rows.count == clients)
        for row in results.rows {
            #expect(row.sent > 32 && row.answered == row.sent && row.odd == 0, "client \(row.client): \(row)")
        }
    }
}

/// What each load client counted.
final class Results: @unchecked Sendable {
    struct Row { let client: Int, sent: Int, answered: Int, odd: Int }
    private let lock = NSLock()
    private var storedRows: [Row] = []
    private var storedFailures: [String] = []
    func add(client: Int, sent: Int, answered: Int, odd: Int) { lock.withLock { storedRows.append(Row(client: client, sent: sent, answered: answered, odd: odd)) } }
    func fail(_ message: String) { lock.withLock { storedFailures.append(message) } }
    var rows: [Row] { lock.withLock { storedRows } }
    var failures: [String] { lock.withLock { storedFailures } }
}
