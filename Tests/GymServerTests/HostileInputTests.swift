import Foundation
import GymCore
import GymProtocol
import GymServer
import Testing

/// Issue 13's crashers from the wire: each of these once killed `gym serve` (an overflow trap)
/// or wedged a worker. Each must now get a typed error while the daemon keeps serving.
@Suite struct HostileInputTests {
    static let huge = Int64(Int32.max)

    func expectError(_ response: Gym_V1_Response, _ code: Gym_V1_ErrorCode, id: UInt64, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.hasError, sourceLocation: sourceLocation)
        #expect(response.error.code == code, "got \(response.error.code): \(response.error.message)", sourceLocation: sourceLocation)
        #expect(response.id == id, sourceLocation: sourceLocation)
    }

    static func overflowing(_ shape: [Int64], dtype: Gym_V1_DType = .int64) -> Gym_V1_Tensor {
        .with { $0.dtype = dtype; $0.shape = shape; $0.data = Data([1, 2, 3, 4, 5, 6, 7, 8]) }
    }

    @Test(arguments: Transport.allCases, [[huge, huge], [huge, huge, huge, huge], [1, 1, 1, 1, 1, 1, 1, 1, 1], [-1], [0, Int64.max]])
    func stepWithOverflowingActionShape(transport: Transport, shape: [Int64]) throws {
        try withDaemon(over: transport) { daemon in
            let client = try daemon.client()
            let handle = try client.make()
            _ = try client.call(1, .reset(.with { $0.handle = handle }))
            let response = try client.call(2, .step(.with { $0.handle = handle; $0.actions = [Self.overflowing(shape)] }))
            expectError(response, .malformed, id: 2)
            #expect(response.error.message.utf8.count < 1000)
            #expect(try client.stillServed())
        }
    }

    @Test(arguments: Transport.allCases)
    func makeWithOverflowingKwargTensor(transport: Transport) throws {
        try withDaemon(over: transport) { daemon in
            let client = try daemon.client()
            let kwarg = Gym_V1_Value.with { $0.tensor = Self.overflowing([Self.huge, Self.huge]) }
            expectError(try client.call(3, .make(.with {
                $0.envID = "CartPole-v1"; $0.numEnvs = 1; $0.kwargs = ["x": kwarg]
            })), .malformed, id: 3)
            #expect(try client.stillServed())
        }
    }

    @Test(arguments: Transport.allCases)
    func resetWithOverflowingOptionTensor(transport: Transport) throws {
        try withDaemon(over: transport) { daemon in
            let client = try daemon.client()
            let handle = try client.make()
            let option = Gym_V1_Value.with { $0.tensor = Self.overflowing([Self.huge, Self.huge, 4]) }
            expectError(try client.call(4, .reset(.with { $0.handle = handle; $0.options = ["low": option] })), .malformed, id: 4)
            #expect(try client.stillServed())
        }
    }

    @Test(arguments: Transport.allCases)
    func deeplyNestedOptionValue(transport: Transport) throws {
        try withDaemon(over: transport) { daemon in
            let client = try daemon.client()
            let handle = try client.make()
            var value = Gym_V1_Value.with { $0.number = 1 }
            for _ in 0..<40 { value = .with { $0.list = .with { $0.values = [value] } } }
            expectError(try client.call(5, .reset(.with { $0.handle = handle; $0.options = ["deep": value] })), .malformed, id: 5)
            #expect(try client.stillServed())
        }
    }

    @Test(arguments: Transport.allCases)
    func hugeEnvIDIsNotEchoedWhole(transport: Transport) throws {
        try withDaemon(over: transport) { daemon in
            let client = try daemon.client()
            let id = String(repeating: "A", count: 1 << 20)
            let response = try client.call(6, .make(.with { $0.envID = id; $0.numEnvs = 1 }))
            expectError(response, .unknownEnv, id: 6)
            #expect(response.error.message.utf8.count < 4096)
            #expect(response.error.message.contains("more bytes"))
            #expect(try client.stillServed())
        }
    }

    @Test(arguments: Transport.allCases)
    func acrobotResetWithAbsurdBoundsIsRejected(transport: Transport) throws {
        try withDaemon(over: transport) { daemon in
            let client = try daemon.client()
            let handle = try client.make("Acrobot-v1")
            let bound = Gym_V1_Value.with { $0.number = 1e20 }
            expectError(try client.call(7, .reset(.with {
                $0.handle = handle; $0.options = ["low": bound, "high": bound]
            })), .invalidArgument, id: 7)
            #expect(try client.stillServed())
        }
    }

    @Test func everyErrorReplyIsClipped() {
        let long = String(repeating: "é", count: 1 << 20)
        let response = Gym_V1_Response.failure(id: 1, GymError(.invalidArgument, long))
        #expect(response.error.message.utf8.count <= WireLimits.maxErrorMessageBytes + 64)
        #expect(Gym_V1_BufferResponse.failure(id: 1, GymError(.invalidArgument, long)).error.message.utf8.count <= WireLimits.maxErrorMessageBytes + 64)
        #expect("short".clippedForEcho() == "short")
        #expect(String(repeating: "a", count: 300).clippedForEcho() == String(repeating: "a", count: 200) + "… (100 more bytes)")
    }

    // The same checks, for what a Swift client reads from a server's reply.
    @Test func clientSideTensorAndSpaceChecks() throws {
        #expect(throws: GymError.self) { try Self.overflowing([Self.huge, Self.huge]).ndarray() }
        #expect(throws: GymError.self) { try Self.overflowing([Int64.max, 2]).ndarray() }
        let box = Gym_V1_Space.with {
            $0.box = .with { $0.dtype = .float32; $0.shape = [Self.huge, Self.huge, Self.huge] }
        }
        #expect(throws: GymError.self) { try box.space() }
        let binary = Gym_V1_Space.with { $0.multiBinary = .with { $0.shape = [Self.huge, Self.huge] } }
        #expect(throws: GymError.self) { try binary.space() }
        let good = Gym_V1_Tensor(NDArray(dtype: .float32, shape: [2, 3], values: [1, 2, 3, 4, 5, 6]))
        #expect(try good.ndarray().shape == [2, 3])
        #expect(NDArray(dtype: .float64, shape: [Int(Self.huge), Int(Self.huge), Int(Self.huge)], bytes: []).isWellFormed == false)
    }
}
