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

/// A bare DEALER that sends arbitrary frames, for requests no well-behaved client would send.
final class RawClient: TestClient {
    let socket: Socket
    init(_ endpoint: String, context: Context = .shared) throws {
        socket = try Socket(context, .dealer)
        try socket.setReceiveTimeout(milliseconds: 5000)
        try socket.connect(endpoint)
    }

    func send(frames: [[UInt8]]) throws { try socket.send(frames: frames) }

    /// The next reply, decoded; also returns the frames it came in.
    func receive() throws -> (response: Gym_V1_Response, frames: [[UInt8]]) {
        let frames = try socket.receiveMessage()
        return (try Gym_V1_Response(serializedBytes: frames.last ?? []), frames)
    }
}

/// Daemon logs in tests only show errors.
let quietLogger: Logger = {
    var logger = Logger(label: "gym.daemon.test") { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = .error
    return logger
}()
