import Foundation
import GymCore
import GymProtocol
import GymServer
import Testing
import ZeroMQ

/// A job that never returns is cut off by the watchdog, a stop answers every request in flight
/// even with a worker stuck, and the daemon's global bounds hold: over real TCP sockets.
@Suite struct WatchdogTests {
    static func daemon(gate: StuckTestEnv.Gate, workers: Int = 1, configure: (inout DaemonConfiguration) -> Void = { _ in }) throws -> Daemon {
        var registry = try testRegistry()
        try registry.register(StuckTestEnv.spec(gate: gate))
        var configuration = DaemonConfiguration(bind: "tcp://127.0.0.1:*", workers: workers, registry: registry)
        configuration.stepTimeout = 0.3
        configure(&configuration)
        let daemon = try Daemon(configuration: configuration, logger: quietLogger)
        try daemon.start()
        return daemon
    }

    static func step(_ handle: UInt64, action: Int64, id: UInt64) -> Gym_V1_Request {
        .with {
            $0.id = id
            $0.step = .with { $0.handle = handle; $0.actions = [Gym_V1_Tensor(NDArray(dtype: .int64, shape: [1], values: [Double(action)]))] }
        }
    }

    /// Waits (bounded) until a step is stuck at the gate.
    static func awaitStuck(_ gate: StuckTestEnv.Gate) throws {
        let deadline = Date().addingTimeInterval(10)
        while gate.stuck == 0 {
            guard Date() < deadline else { throw GymError(.timedOut, "no step reached the gate") }
            usleep(1000)
        }
    }

    @Test func aStuckStepIsCutOffAndTheWorkersOtherClientsKeepStepping() throws {
        let gate = StuckTestEnv.Gate()
        defer { gate.release() }
        let daemon = try Self.daemon(gate: gate)
        defer { daemon.shutdown() }
        let stuckClient = try RawClient(daemon.endpoint)
        let stuck = try stuckClient.make("Stuck-v0")
        #expect(!(try stuckClient.call(1, .reset(.with { $0.handle = stuck }))).hasError)
        let other = try RawClient(daemon.endpoint)
        let cartPole = try other.make()
        #expect(!(try other.call(1, .reset(.with { $0.handle = cartPole }))).hasError)

        try stuckClient.send(Self.step(stuck, action: 1, id: 2))
        try Self.awaitStuck(gate)
        for id in UInt64(10)..<30 {
            try other.send(Self.step(cartPole, action: 0, id: id))
            let reply = try other.receive().response
            #expect(!reply.hasError, "\(reply.error.message)")
            #expect(reply.id == id && reply.step.rewards.data.count == 8)
        }

        let cutOff = try stuckClient.receive().response
        #expect(cutOff.id == 2 && cutOff.error.code == .deadlineExceeded, "\(cutOff.error.code): \(cutOff.error.message)")
        #expect(cutOff.error.message.contains("Stuck-v0") && cutOff.error.message.contains("quarantined"))
        let later = try stuckClient.call(3, .step(Self.step(stuck, action: 0, id: 3).step))
        #expect(later.error.code == .internal && later.error.message.contains("quarantined"), "\(later.error.message)")
        #expect(!(try stuckClient.call(4, .close(.with { $0.handle = stuck }))).hasError)
        #expect(try stuckClient.call(5, .step(Self.step(stuck, action: 0, id: 5).step)).error.code == .unknownHandle)
        #expect(try stuckClient.stillServed())
    }

    @Test func aStopAnswersEveryRequestInFlightEvenWithAWorkerStuck() throws {
        let gate = StuckTestEnv.Gate()
        defer { gate.release() }
        let daemon = try Self.daemon(gate: gate) { $0.stepTimeout = 600; $0.shutdownTimeout = 0.5 }
        let stuckClient = try RawClient(daemon.endpoint)
        let stuck = try stuckClient.make("Stuck-v0")
        _ = try stuckClient.call(1, .reset(.with { $0.handle = stuck }))
        let other = try RawClient(daemon.endpoint)
        let cartPole = try other.make()
        _ = try other.call(1, .reset(.with { $0.handle = cartPole }))

        try stuckClient.send(Self.step(stuck, action: 1, id: 2))
        try Self.awaitStuck(gate)
        // Queued behind the stuck step on the daemon's only worker.
        for id in UInt64(10)..<20 { try other.send(Self.step(cartPole, action: 0, id: id)) }
        let stopped = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            daemon.shutdown()
            stopped.signal()
        }
        #expect(stopped.wait(timeout: .now() + 20) == .success, "the daemon did not stop")

        let answer = try stuckClient.receive().response
        #expect(answer.id == 2 && answer.error.code == .shuttingDown, "\(answer.error.code): \(answer.error.message)")
        let replies = try (10..<20).map { _ in try other.receive().response }
        #expect(Set(replies.map(\.id)) == Set(10..<20))
        #expect(replies.allSatisfy { $0.error.code == .shuttingDown || (!$0.hasError && $0.step.rewards.data.count == 8) })
    }

    @Test func requestsInFlightPerClientAreBounded() throws {
        let gate = StuckTestEnv.Gate()
        defer { gate.release() }
        let daemon = try Self.daemon(gate: gate) { $0.stepTimeout = 600; $0.shutdownTimeout = 0.5; $0.maxInFlightPerClient = 2 }
        defer { daemon.shutdown() }
        let client = try RawClient(daemon.endpoint)
        let stuck = try client.make("Stuck-v0")
        _ = try client.call(1, .reset(.with { $0.handle = stuck }))
        try client.send(Self.step(stuck, action: 1, id: 2))
        try Self.awaitStuck(gate)
        try client.send(Self.step(stuck, action: 0, id: 3))
        let refused = try client.call(4, .step(Self.step(stuck, action: 0, id: 4).step))
        #expect(refused.id == 4 && refused.error.code == .quotaExceeded, "\(refused.error.message)")
        #expect(!(try client.call(5, .hello(.with { $0.protocolVersion = gymProtocolVersion }))).hasError)
        gate.release()
        let done = try [client.receive().response, client.receive().response]
        #expect(done.map(\.id).sorted() == [2, 3] && done.allSatisfy { !$0.hasError })
    }

    @Test func aClientWhoseConnectionClosesLosesItsEnvironmentsAtOnce() throws {
        let gate = StuckTestEnv.Gate()
        let daemon = try Self.daemon(gate: gate, workers: 2) { $0.maxEnvs = 3 }
        defer { daemon.shutdown() }
        var leaving: RawClient? = try RawClient(daemon.endpoint)
        _ = try leaving?.make(count: 3)
        let staying = try RawClient(daemon.endpoint)
        let full = try staying.call(1, .make(.with { $0.envID = "CartPole-v1"; $0.numEnvs = 1 }))
        #expect(full.error.code == .quotaExceeded && full.error.message.contains("--max-envs"), "\(full.error.message)")
        leaving = nil
        // The idle timeout is 600 s: only the disconnect can free the environments this soon.
        let deadline = Date().addingTimeInterval(10)
        var made = false
        while !made && Date() < deadline {
            usleep(20_000)
            made = !(try staying.call(2, .make(.with { $0.envID = "CartPole-v1"; $0.numEnvs = 3 }))).hasError
        }
        #expect(made)
    }

    @Test(arguments: Transport.allCases)
    func clientsHoldingEnvironmentsAreBounded(transport: Transport) throws {
        try withDaemon(over: transport, maxClients: 1) { daemon in
            let first = try daemon.client()
            _ = try first.make()
            let second = try daemon.client()
            let refused = try second.call(1, .make(.with { $0.envID = "CartPole-v1"; $0.numEnvs = 1 }))
            #expect(refused.error.code == .quotaExceeded && refused.error.message.contains("--max-clients"), "\(refused.error.message)")
            #expect(try first.stillServed())
        }
    }

    @Test func aHandleFromBeforeARestartIsUnknownAndSaysSo() throws {
        let old = try withDaemon(over: .direct) { daemon in try daemon.client().make() }
        try withDaemon(over: .direct) { daemon in
            let reply = try daemon.client().call(1, .step(.with { $0.handle = old }))
            #expect(reply.error.code == .unknownHandle && reply.error.message.contains("restarted"), "\(reply.error.message)")
        }
    }
}
