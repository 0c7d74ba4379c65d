import ClassicControl
import Foundation
import GymClient
import GymCore
import GymProtocol
import Testing
import ZeroMQ

/// A server that answers hello and make like a daemon serving CartPole, then every other
/// request with `answer`'s reply: what a hostile or broken server could send a client.
final class FakeServer: @unchecked Sendable {
    let socket: Socket
    let endpoint: String
    private let thread: Thread

    init(extraEnvs: UInt32 = 0, answer: @escaping @Sendable (Gym_V1_Request) -> Gym_V1_Response) throws {
        socket = try Socket(.shared, .router)
        try socket.setReceiveTimeout(milliseconds: 100)
        try socket.bind("tcp://127.0.0.1:*")
        endpoint = try socket.lastEndpoint
        let socket = socket
        thread = Thread {
            let spec = Gym_V1_EnvSpec(CartPole.specs()[1])
            while !Thread.current.isCancelled {
                guard let frames = try? socket.receiveMessage(), frames.count == 2,
                      let request = try? Gym_V1_Request(serializedBytes: frames[1]) else { continue }
                var response: Gym_V1_Response
                switch request.body {
                case .hello: response = .with { $0.hello = .with { $0.protocolVersion = gymProtocolVersion } }
                case .make(let make): response = .with { $0.make = .with { $0.handle = 1; $0.spec = spec; $0.numEnvs = make.numEnvs &+ extraEnvs } }
                default: response = answer(request)
                }
                response.id = request.id
                try? socket.send(frames: [frames[0], (try? response.serializedBytes()) ?? []])
            }
            socket.close()
        }
        thread.start()
    }

    func stop() { thread.cancel() }
}

/// Swift clients must not trust servers either (issue 13): a reply with an overflowing shape
/// or too few rows is a MALFORMED error, not a trap in the code that reads it.
@Suite struct HostileServerTests {
    static let huge = Int64(Int32.max)

    func expectMalformed(_ answer: @escaping @Sendable (Gym_V1_Request) -> Gym_V1_Response, _ body: (RemoteVectorEnv) throws -> Void) throws {
        let server = try FakeServer(answer: answer)
        defer { server.stop() }
        let connection = try GymConnection(endpoint: server.endpoint, timeout: 5)
        let env = try RemoteVectorEnv(connection: connection, id: "CartPole-v1", count: 2)
        let error = try #require(throws: GymError.self) { try body(env) }
        #expect(error.code == .malformed, "\(error)")
    }

    @Test func anOverflowingObservationShapeIsMalformed() throws {
        try expectMalformed({ _ in .with { $0.reset = .with {
            $0.observations = [.with { $0.dtype = .float32; $0.shape = [Self.huge, Self.huge]; $0.data = Data(count: 8) }]
        } } }) { env in _ = try env.reset() }
    }

    @Test func tooFewObservationRowsAreMalformed() throws {
        try expectMalformed({ _ in .with { $0.reset = .with {
            $0.observations = [Gym_V1_Tensor(NDArray(dtype: .float32, shape: [1, 4], values: [0, 0, 0, 0]))]
        } } }) { env in _ = try env.reset() }
    }

    @Test func aStepWithTooFewRewardsIsMalformed() throws {
        try expectMalformed({ _ in .with { $0.step = .with {
            $0.observations = [Gym_V1_Tensor(NDArray(dtype: .float32, shape: [2, 4], values: Array(repeating: 0, count: 8)))]
            $0.rewards = .with { $0.dtype = .float64; $0.shape = [1]; $0.data = Data(count: 8) }
            $0.terminated = Data([0]); $0.truncated = Data([0])
        } } }) { env in _ = try env.step(discrete: [0, 1]) }
    }

    @Test func aBatchOfAnotherSizeIsMalformed() throws {
        let server = try FakeServer(extraEnvs: UInt32.max - 1) { _ in Gym_V1_Response() }
        defer { server.stop() }
        let connection = try GymConnection(endpoint: server.endpoint, timeout: 5)
        let error = try #require(throws: GymError.self) {
            _ = try RemoteVectorEnv(connection: connection, id: "CartPole-v1", count: 2)
        }
        #expect(error.code == .malformed, "\(error)")
    }
}
