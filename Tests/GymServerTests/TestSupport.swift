import ClassicControl
import Foundation
import GymCore
import GymProtocol
import GymServer
import GymTestSupport
import Logging
import SwiftProtobuf
import ZeroMQ

/// A small env with a float32 Box action in [-1, 1]², to exercise dtype and range checks.
final class BoxTestEnv: Environment {
    var position: Float = 0
    func reset(seed: UInt64?, options: ValueMap, observation: UnsafeMutableRawBufferPointer) throws -> ValueMap {
        position = Float(seed ?? 0)
        observation.storeBytes(of: position, as: Float.self)
        return ["seeded": .flag(seed != nil)]
    }
    func step(action: UnsafeRawBufferPointer, observation: UnsafeMutableRawBufferPointer) throws -> StepResult {
        position += action.loadUnaligned(fromByteOffset: 0, as: Float.self) + action.loadUnaligned(fromByteOffset: 4, as: Float.self)
        observation.storeBytes(of: position, as: Float.self)
        return StepResult(reward: Double(position), terminated: position > 3)
    }
    static let spec = EnvSpec(
        id: "BoxTest-v0", observationSpace: .box(low: -100, high: 100, shape: [1]),
        actionSpace: .box(low: -1, high: 1, shape: [2]), maxEpisodeSteps: 5, rewardThreshold: nil
    ) { _ in BoxTestEnv() }
}

func testRegistry() throws -> EnvRegistry {
    var registry = EnvRegistry()
    try ClassicControl.register(into: &registry)
    try registry.register(BoxTestEnv.spec)
    return registry
}

/// Starts a daemon on a free loopback port and stops it when the test ends.
func withDaemon<R>(
    bind: String = "tcp://127.0.0.1:*", maxEnvsPerClient: Int = 4096, idleTimeout: Double = 600, workers: Int = 2,
    logger: Logger = quietLogger,
    _ body: (Daemon) throws -> R
) throws -> R {
    let daemon = try Daemon(configuration: DaemonConfiguration(
        bind: bind, workers: workers, maxEnvsPerClient: maxEnvsPerClient, idleTimeout: idleTimeout, registry: try testRegistry()),
        logger: logger)
    try daemon.start()
    defer { daemon.shutdown() }
    return try body(daemon)
}

/// A bare DEALER that sends arbitrary frames, for requests no well-behaved client would send.
final class RawClient {
    let socket: Socket
    init(_ endpoint: String, context: Context = .shared) throws {
        socket = try Socket(context, .dealer)
        try socket.setReceiveTimeout(milliseconds: 5000)
        try socket.connect(endpoint)
    }

    func send(frames: [[UInt8]]) throws { try socket.send(frames: frames) }

    func send(_ request: Gym_V1_Request) throws { try socket.send(try request.serializedBytes() as [UInt8]) }

    /// The next reply, decoded; also returns the frames it came in.
    func receive() throws -> (response: Gym_V1_Response, frames: [[UInt8]]) {
        let frames = try socket.receiveMessage()
        return (try Gym_V1_Response(serializedBytes: frames.last ?? []), frames)
    }

    func call(_ id: UInt64, _ body: Gym_V1_Request.OneOf_Body) throws -> Gym_V1_Response {
        try send(.with { $0.id = id; $0.body = body })
        return try receive().response
    }

    func make(_ env: String = "CartPole-v1", count: UInt32 = 1, id: UInt64 = 900) throws -> UInt64 {
        let reply = try call(id, .make(.with { $0.envID = env; $0.numEnvs = count; $0.seed = 1 }))
        return reply.make.handle
    }

    /// A request that must succeed after a rejected one: the daemon still serves this client.
    func stillServed() throws -> Bool {
        let handle = try make()
        let reset = try call(901, .reset(.with { $0.handle = handle }))
        let step = try call(902, .step(.with {
            $0.handle = handle
            $0.actions = [Gym_V1_Tensor(NDArray(dtype: .int64, shape: [1], values: [1]))]
        }))
        return !reset.hasError && !step.hasError && step.step.rewards.data.count == 8 && step.id == 902
    }
}

/// Daemon logs in tests only show errors.
let quietLogger: Logger = {
    var logger = Logger(label: "gym.daemon.test") { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = .error
    return logger
}()
