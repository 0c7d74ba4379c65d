import ClassicControl
import Foundation
import GymClient
import GymCore
import GymProtocol
import GymServer
import Logging
import Testing
import ZeroMQ

func registry() throws -> EnvRegistry {
    var registry = EnvRegistry()
    try ClassicControl.register(into: &registry)
    return registry
}

func startDaemon(bind: String = "tcp://127.0.0.1:*", idleTimeout: Double = 600) throws -> Daemon {
    var logger = Logger(label: "gym.daemon.test")
    logger.logLevel = .error
    let daemon = try Daemon(configuration: DaemonConfiguration(bind: bind, workers: 2, idleTimeout: idleTimeout, registry: try registry()), logger: logger)
    try daemon.start()
    return daemon
}

@Suite struct ClientTests {
    /// Eight clients step concurrently for a few seconds; none sees an error, and none can use another's handles.
    @Test func eightConcurrentClientsAreIsolated() throws {
        let daemon = try startDaemon()
        defer { daemon.shutdown() }
        let clients = 8
        let handles = Locked<[Int: UInt64]>([:])
        let failures = Locked<[String]>([])
        let stepsTaken = Locked<[Int: Int]>([:])
        let madeAll = DispatchGroup()
        let startStealing = DispatchSemaphore(value: 0)
        let group = DispatchGroup()
        let keepAlive = Locked<[RemoteVectorEnv]>([])
        for index in 0..<clients {
            group.enter()
            madeAll.enter()
            Thread {
                defer { group.leave() }
                // Left once: when the batch is made, or at the error that stopped it.
                var made = false
                do {
                    let connection = try GymConnection(endpoint: daemon.endpoint, timeout: 10)
                    let env = try RemoteVectorEnv(connection: connection, id: "CartPole-v1", count: 4, seed: UInt64(index))
                    handles.withLock { $0[index] = env.handle }
                    keepAlive.withLock { $0.append(env) }
                    made = true
                    madeAll.leave()
                    _ = try env.reset()
                    var random = NumPyGenerator(seed: UInt64(index))
                    let deadline = Date().addingTimeInterval(3)
                    var steps = 0
                    var episodes = 0
                    while Date() < deadline {
                        let step = try env.step(discrete: (0..<4).map { _ in random.integers(high: 2) })
                        steps += 4
                        episodes += zip(step.terminated, step.truncated).filter { $0 || $1 }.count
                        guard step.observations[0].shape == [4, 4], step.rewards.count == 4 else {
                            failures.withLock { $0.append("client \(index): bad shapes") }
                            return
                        }
                    }
                    stepsTaken.withLock { $0[index] = steps }
                    if episodes == 0 { failures.withLock { $0.append("client \(index): no episode ended in \(steps) steps") } }
                    startStealing.wait()
                    // Every other client's handle is off limits.
                    for (other, handle) in handles.withLock({ $0 }) where other != index {
                        let thief = try RemoteVectorEnvProbe(connection: connection, handle: handle)
                        if let code = thief.stepError(), code == .notOwner { continue }
                        failures.withLock { $0.append("client \(index) could step client \(other)'s handle \(handle)") }
                    }
                } catch {
                    failures.withLock { $0.append("client \(index): \(error)") }
                    if !made { madeAll.leave() }
                }
            }.start()
        }
        madeAll.wait()
        // All clients have stepped for a while before any tries another's handle.
        Thread.sleep(forTimeInterval: 3.5)
        for _ in 0..<clients { startStealing.signal() }
        #expect(group.wait(timeout: .now() + 60) == .success)
        // Handles are closed only after every client has tried every other's.
        for env in keepAlive.withLock({ $0 }) { try env.close() }
        #expect(failures.withLock { $0 } == [])
        let counts = stepsTaken.withLock { $0 }
        #expect(counts.count == clients)
        #expect(counts.values.allSatisfy { $0 > 100 })
    }

    @Test func sameSeedSameEpisodeEmbeddedOrOverTCP() throws {
        let tcp = try startDaemon()
        defer { tcp.shutdown() }
        var quiet = Logger(label: "gym.embedded.test")
        quiet.logLevel = .error
        let embedded = try EmbeddedDaemon(registry: try registry(), logger: quiet)
        defer { embedded.shutdown() }
        #expect(embedded.endpoint.hasPrefix("inproc://"))
        func episode(_ endpoint: String) throws -> [[Float]] {
            let env = try RemoteEnv(connection: try GymConnection(endpoint: endpoint), id: "CartPole-v1")
            var observations = [try env.reset(seed: 7).observation[0].floats]
            var action: Int64 = 0
            while true {
                action = 1 - action
                let step = try env.step(discrete: action)
                observations.append(step.observation[0].floats)
                if step.terminated || step.truncated { break }
            }
            return observations
        }
        let overTCP = try episode(tcp.endpoint)
        let inProcess = try episode(embedded.endpoint)
        #expect(overTCP.count > 5)
        #expect(overTCP.map { $0.map(\.bitPattern) } == inProcess.map { $0.map(\.bitPattern) })
    }

    /// `127.0.0.1:5555` without `tcp://` is a typed error that says what to write, and a timeout
    /// too large for milliseconds is no trap.
    @Test func anEndpointWithoutATransportSaysWhatToWrite() throws {
        #expect {
            _ = try GymConnection(endpoint: "127.0.0.1:5555", timeout: 1)
        } throws: { error in
            guard let error = error as? GymError else { return false }
            return error.code == .invalidArgument && error.message.contains("use tcp://HOST:PORT")
        }
        let channel = try ServiceChannel<Gym_V1_Request, Gym_V1_Response>(endpoint: "tcp://127.0.0.1:1", timeout: 1e300)
        #expect(channel.endpoint == "tcp://127.0.0.1:1")
    }

    @Test func callsTimeOutWhenNoDaemonAnswers() throws {
        // Bind a ROUTER that never replies.
        let silent = try Socket(.shared, .router)
        try silent.bind("tcp://127.0.0.1:*")
        let start = Date()
        do {
            _ = try GymConnection(endpoint: try silent.lastEndpoint, timeout: 0.3)
            Issue.record("expected a timeout")
        } catch let error as GymError {
            #expect(error.code == .timedOut)
        }
        #expect(Date().timeIntervalSince(start) < 3)
    }

    @Test func daemonGoneMidSessionGivesTimeout() throws {
        let daemon = try startDaemon()
        let connection = try GymConnection(endpoint: daemon.endpoint, timeout: 0.5)
        let env = try RemoteVectorEnv(connection: connection, id: "CartPole-v1", count: 2)
        _ = try env.reset()
        daemon.shutdown()
        do {
            _ = try env.step(discrete: [0, 1])
            Issue.record("expected a timeout")
        } catch let error as GymError {
            #expect(error.code == .timedOut)
        }
    }

    @Test func pipelinedStepsReturnInOrderOfTheirIDs() throws {
        let daemon = try startDaemon()
        defer { daemon.shutdown() }
        let connection = try GymConnection(endpoint: daemon.endpoint)
        let envs = try (0..<3).map { try RemoteVectorEnv(connection: connection, id: "CartPole-v1", count: 2, seed: UInt64($0)) }
        for env in envs { _ = try env.reset() }
        let pending = try envs.map { try $0.sendStep([NDArray(dtype: .int64, shape: [2], values: [1, 0])]) }
        // Receive in reverse order: replies that arrive first wait for their turn.
        for (env, id) in zip(envs, pending).reversed() {
            let step = try env.receiveStep(id)
            #expect(step.rewards == [1, 1])
        }
    }

    @Test func nextStepAutoresetKeepsTheFinalObservation() throws {
        let daemon = try startDaemon()
        defer { daemon.shutdown() }
        let connection = try GymConnection(endpoint: daemon.endpoint)
        let env = try RemoteVectorEnv(connection: connection, id: "CartPole-v1", count: 2, seed: 3, maxEpisodeSteps: 4)
        #expect(env.maxEpisodeSteps == 4)
        _ = try env.reset()
        var last: RemoteVectorEnv.Step?
        for _ in 0..<4 { last = try env.step(discrete: [0, 0]) }
        #expect(last?.truncated == [true, true])
        let ended = last?.observations[0].floats ?? []
        let restarted = try env.step(discrete: [1, 1])
        #expect(restarted.rewards == [0, 0])
        #expect(restarted.truncated == [false, false])
        #expect(restarted.observations[0].floats != ended)
        #expect(restarted.observations[0].floats.allSatisfy { abs($0) <= 0.05 })
    }

    /// Without a connection to watch (in-process), a client silent past the idle timeout loses its environments.
    @Test func idleClientsEnvsAreReclaimedWithoutAConnectionToWatch() throws {
        let daemon = try startDaemon(bind: "inproc://gym-idle-\(UInt64.random(in: 0...UInt64.max))", idleTimeout: 0.3)
        defer { daemon.shutdown() }
        let connection = try GymConnection(endpoint: daemon.endpoint)
        let env = try RemoteVectorEnv(connection: connection, id: "CartPole-v1", count: 1)
        Thread.sleep(forTimeInterval: 1.0)
        do {
            _ = try env.reset()
            Issue.record("expected the handle to be reclaimed")
        } catch let error as GymError {
            #expect(error.code == .unknownHandle)
            #expect(error.message.contains("reclaimed"))
        }
    }

    /// A client whose TCP connection stays open keeps its environments past the idle timeout
    /// (an evaluation env used every ten minutes; DescriptorReuseTests covers closed connections).
    @Test func aConnectedClientKeepsItsEnvsPastTheIdleTimeout() throws {
        let daemon = try startDaemon(idleTimeout: 0.3)
        defer { daemon.shutdown() }
        let connection = try GymConnection(endpoint: daemon.endpoint)
        let env = try RemoteVectorEnv(connection: connection, id: "CartPole-v1", count: 1)
        _ = try env.reset(seeds: [1])
        Thread.sleep(forTimeInterval: 1.2)
        let step = try env.step(discrete: [1])
        #expect(step.rewards == [1])
    }
}

/// Tries to use a handle it does not own, through the public client path.
struct RemoteVectorEnvProbe {
    let connection: GymConnection
    let handle: UInt64
    func stepError() -> GymError.Code? {
        do {
            _ = try connection.call(.step(.with {
                $0.handle = handle
                $0.actions = [.init(NDArray(dtype: .int64, shape: [4], values: [0, 0, 0, 0]))]
            }))
            return nil
        } catch let error as GymError {
            return error.code
        } catch {
            return .internalError
        }
    }
}

/// A value behind a lock, for results gathered from threads.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
