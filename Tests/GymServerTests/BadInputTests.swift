import Foundation
import GymCore
import GymProtocol
import GymServer
import GymTestSupport
import Logging
import SwiftProtobuf
import Testing
import ZeroMQ

/// Every bad request gets a typed error reply, and the daemon then serves the same client again,
/// whether it reaches the router directly, over `inproc://` or over TCP.
@Suite struct BadInputTests {
    func expectError(_ response: Gym_V1_Response, _ code: Gym_V1_ErrorCode, id: UInt64, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.hasError, sourceLocation: sourceLocation)
        #expect(response.error.code == code, "got \(response.error.code): \(response.error.message)", sourceLocation: sourceLocation)
        #expect(response.id == id, sourceLocation: sourceLocation)
        #expect(!response.error.message.isEmpty, sourceLocation: sourceLocation)
        #expect(response.body == nil, sourceLocation: sourceLocation)
    }

    @Test(arguments: Transport.allCases)
    func garbageBytes(transport: Transport) throws {
        try withDaemon(over: transport) { daemon in
            let client = try daemon.client()
            try client.send(frames: [[0xff, 0xfe, 0x00, 0x13, 0x37, 0x99, 0x01]])
            expectError(try client.receive().response, .malformed, id: 0)
            #expect(try client.stillServed())
        }
    }

    @Test(arguments: Transport.allCases)
    func rejectionsAreLogged(transport: Transport) throws {
        let captured = CapturedLog()
        try withDaemon(over: transport, logger: captured.logger) { daemon in
            let client = try daemon.client()
            try client.send(frames: [[0xff, 0x00]])
            _ = try client.receive()
            _ = try client.call(3, .make(.with { $0.envID = "Nope-v0"; $0.numEnvs = 1 }))
        }
        let warnings = captured.messages.filter { $0.level == .warning }.map(\.text)
        #expect(warnings.contains { $0.contains("malformed") })
        #expect(warnings.contains { $0.contains("unknownEnv") && $0.contains("request 3") })
        #expect(captured.messages.contains { $0.text.contains("stopped after") })
    }

    @Test(arguments: Transport.allCases)
    func emptyFrame(transport: Transport) throws {
        try withDaemon(over: transport) { daemon in
            let client = try daemon.client()
            try client.send(frames: [[]])
            expectError(try client.receive().response, .malformed, id: 0)
            #expect(try client.stillServed())
        }
    }

    @Test(arguments: Transport.allCases)
    func truncatedFrameStillNamesItsRequestID(transport: Transport) throws {
        try withDaemon(over: transport) { daemon in
            let client = try daemon.client()
            let full: [UInt8] = try Gym_V1_Request.with {
                $0.id = 4242
                $0.make = .with { $0.envID = "CartPole-v1"; $0.numEnvs = 3 }
            }.serializedBytes()
            try client.send(frames: [Array(full.prefix(full.count - 4))])
            expectError(try client.receive().response, .malformed, id: 4242)
            #expect(try client.stillServed())
        }
    }

    @Test(arguments: Transport.allCases)
    func wrongNumberOfFrames(transport: Transport) throws {
        try withDaemon(over: transport) { daemon in
            let client = try daemon.client()
            let request: [UInt8] = try Gym_V1_Request.with { $0.id = 5; $0.listEnvs = .init() }.serializedBytes()
            try client.send(frames: [request, request, [1]])
            expectError(try client.receive().response, .malformed, id: 0)
            #expect(try client.stillServed())
        }
    }

    @Test(arguments: Transport.allCases)
    func delimitedRequestGetsDelimitedReply(transport: Transport) throws {
        try withDaemon(over: transport) { daemon in
            let client = try daemon.client()
            let request: [UInt8] = try Gym_V1_Request.with { $0.id = 6; $0.listEnvs = .init() }.serializedBytes()
            try client.send(frames: [[], request])
            let (response, frames) = try client.receive()
            #expect(frames.count == 2 && frames[0].isEmpty)
            #expect(response.envs.specs.contains { $0.id == "CartPole-v1" })
        }
    }

    @Test(arguments: Transport.allCases)
    func unknownMessage(transport: Transport) throws {
        try withDaemon(over: transport) { daemon in
            let client = try daemon.client()
            // A request whose body is a field this version does not define.
            var bytes: [UInt8] = try Gym_V1_Request.with { $0.id = 77 }.serializedBytes()
            bytes += [0xfa, 0x01, 0x02, 0x08, 0x01]  // field 31, length-delimited, 2 bytes
            try client.send(frames: [bytes])
            expectError(try client.receive().response, .unknownMessage, id: 77)
            #expect(try client.stillServed())
        }
    }

    @Test(arguments: Transport.allCases)
    func unsupportedVersion(transport: Transport) throws {
        try withDaemon(over: transport) { daemon in
            let client = try daemon.client()
            expectError(try client.call(8, .hello(.with { $0.protocolVersion = 99 })), .unsupportedVersion, id: 8)
            let hello = try client.call(9, .hello(.with { $0.protocolVersion = gymProtocolVersion }))
            #expect(hello.hello.protocolVersion == gymProtocolVersion)
            #expect(try client.stillServed())
        }
    }

    @Test(arguments: Transport.allCases)
    func unknownEnvID(transport: Transport) throws {
        try withDaemon(over: transport) { daemon in
            let client = try daemon.client()
            expectError(try client.call(10, .make(.with { $0.envID = "NoSuchEnv-v9"; $0.numEnvs = 1 })), .unknownEnv, id: 10)
            #expect(try client.stillServed())
        }
    }

    @Test(arguments: Transport.allCases)
    func unknownHandle(transport: Transport) throws {
        try withDaemon(over: transport) { daemon in
            let client = try daemon.client()
            expectError(try client.call(11, .step(.with { $0.handle = 123_456 })), .unknownHandle, id: 11)
            expectError(try client.call(12, .reset(.with { $0.handle = 0 })), .unknownHandle, id: 12)
            #expect(try client.stillServed())
        }
    }

    @Test(arguments: Transport.allCases)
    func anotherClientsHandle(transport: Transport) throws {
        try withDaemon(over: transport) { daemon in
            let owner = try daemon.client()
            let intruder = try daemon.client()
            let handle = try owner.make()
            expectError(try intruder.call(13, .reset(.with { $0.handle = handle })), .notOwner, id: 13)
            expectError(try intruder.call(14, .step(.with { $0.handle = handle })), .notOwner, id: 14)
            expectError(try intruder.call(15, .render(.with { $0.handle = handle })), .notOwner, id: 15)
            expectError(try intruder.call(16, .close(.with { $0.handle = handle })), .notOwner, id: 16)
            // The owner's env is untouched by the attempts.
            #expect(!(try owner.call(17, .reset(.with { $0.handle = handle }))).hasError)
            #expect(try intruder.stillServed())
        }
    }

    @Test(arguments: Transport.allCases, [
        ("shape", NDArray(dtype: .int64, shape: [2], values: [0, 1])),
        ("dtype", NDArray(dtype: .float32, shape: [1], values: [1])),
        ("range", NDArray(dtype: .int64, shape: [1], values: [2])),
        ("negative", NDArray(dtype: .int64, shape: [1], values: [-1])),
        ("bytes", NDArray(dtype: .int64, shape: [1], bytes: [1, 0, 0])),
    ])
    func invalidDiscreteAction(transport: Transport, invalid: (kind: String, action: NDArray)) throws {
        let (kind, action) = invalid
        try withDaemon(over: transport) { daemon in
            let client = try daemon.client()
            let handle = try client.make()
            _ = try client.call(20, .reset(.with { $0.handle = handle }))
            let response = try client.call(21, .step(.with { $0.handle = handle; $0.actions = [Gym_V1_Tensor(action)] }))
            expectError(response, kind == "bytes" ? .malformed : .invalidAction, id: 21)
            #expect(try client.stillServed())
        }
    }

    @Test(arguments: Transport.allCases, [
        ("range", NDArray(dtype: .float32, shape: [1, 2], values: [0.5, 1.5])),
        ("nan", NDArray(dtype: .float32, shape: [1, 2], values: [.nan, 0])),
        ("dtype", NDArray(dtype: .float64, shape: [1, 2], values: [0.5, 0.5])),
        ("shape", NDArray(dtype: .float32, shape: [2], values: [0.5, 0.5])),
    ])
    func invalidBoxAction(transport: Transport, invalid: (kind: String, action: NDArray)) throws {
        let (_, action) = invalid
        try withDaemon(over: transport) { daemon in
            let client = try daemon.client()
            let handle = try client.make("BoxTest-v0")
            _ = try client.call(30, .reset(.with { $0.handle = handle }))
            expectError(try client.call(31, .step(.with { $0.handle = handle; $0.actions = [Gym_V1_Tensor(action)] })), .invalidAction, id: 31)
            let good = try client.call(32, .step(.with {
                $0.handle = handle
                $0.actions = [Gym_V1_Tensor(NDArray(dtype: .float32, shape: [1, 2], values: [1, -0.25]))]
            }))
            #expect(!good.hasError)
            #expect(try client.stillServed())
        }
    }

    @Test(arguments: Transport.allCases)
    func missingActions(transport: Transport) throws {
        try withDaemon(over: transport) { daemon in
            let client = try daemon.client()
            let handle = try client.make()
            _ = try client.call(40, .reset(.with { $0.handle = handle }))
            expectError(try client.call(41, .step(.with { $0.handle = handle })), .invalidAction, id: 41)
            #expect(try client.stillServed())
        }
    }

    @Test(arguments: Transport.allCases)
    func numEnvsZero(transport: Transport) throws {
        try withDaemon(over: transport) { daemon in
            let client = try daemon.client()
            expectError(try client.call(50, .make(.with { $0.envID = "CartPole-v1"; $0.numEnvs = 0 })), .invalidArgument, id: 50)
            #expect(try client.stillServed())
        }
    }

    @Test(arguments: Transport.allCases)
    func numEnvsOverQuota(transport: Transport) throws {
        try withDaemon(over: transport, maxEnvsPerClient: 10) { daemon in
            let client = try daemon.client()
            expectError(try client.call(51, .make(.with { $0.envID = "CartPole-v1"; $0.numEnvs = 11 })), .quotaExceeded, id: 51)
            _ = try client.make(count: 8)
            expectError(try client.call(52, .make(.with { $0.envID = "CartPole-v1"; $0.numEnvs = 3 })), .quotaExceeded, id: 52)
            // Another client has its own quota.
            #expect(try daemon.client().stillServed())
            #expect(try client.stillServed())
        }
    }

    @Test(arguments: Transport.allCases)
    func stepAfterClose(transport: Transport) throws {
        try withDaemon(over: transport) { daemon in
            let client = try daemon.client()
            let handle = try client.make()
            _ = try client.call(60, .reset(.with { $0.handle = handle }))
            #expect(!(try client.call(61, .close(.with { $0.handle = handle }))).hasError)
            let response = try client.call(62, .step(.with {
                $0.handle = handle
                $0.actions = [Gym_V1_Tensor(NDArray(dtype: .int64, shape: [1], values: [0]))]
            }))
            expectError(response, .unknownHandle, id: 62)
            #expect(response.error.message.contains("closed"))
            expectError(try client.call(63, .close(.with { $0.handle = handle })), .unknownHandle, id: 63)
            #expect(try client.stillServed())
        }
    }

    @Test(arguments: Transport.allCases)
    func badKwargAndSeeds(transport: Transport) throws {
        try withDaemon(over: transport) { daemon in
            let client = try daemon.client()
            expectError(try client.call(70, .make(.with {
                $0.envID = "CartPole-v1"; $0.numEnvs = 1; $0.kwargs = ["gravity_on_mars": Gym_V1_Value(.number(3.7))]
            })), .invalidArgument, id: 70)
            let handle = try client.make(count: 3)
            expectError(try client.call(71, .reset(.with { $0.handle = handle; $0.seeds = [1, 2] })), .invalidArgument, id: 71)
            // The failed make released its reservation: the quota is not leaked.
            #expect(try client.stillServed())
        }
    }

    @Test(arguments: Transport.allCases)
    func stepBeforeResetAndRenderOutOfRange(transport: Transport) throws {
        try withDaemon(over: transport) { daemon in
            let client = try daemon.client()
            let handle = try client.make()
            expectError(try client.call(80, .step(.with {
                $0.handle = handle
                $0.actions = [Gym_V1_Tensor(NDArray(dtype: .int64, shape: [1], values: [0]))]
            })), .resetNeeded, id: 80)
            expectError(try client.call(81, .render(.with { $0.handle = handle; $0.envIndex = 5 })), .invalidArgument, id: 81)
            #expect(try client.stillServed())
        }
    }
}
