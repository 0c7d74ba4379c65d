import Foundation
import GymCore
import GymProtocol
import GymServer
import Testing

/// Who is stepping: a hello's optional description (run, algorithm, role) is checked, kept per
/// client, and attached to the batches that client makes, so events and recordings carry it.
@Suite struct ClientDescriptionTests {
    static let train = Gym_V1_ClientDescription(run: "dqn-CartPole-v1-1-20261202T170631", algorithm: "dqn", role: .train)

    static func hello(_ description: Gym_V1_ClientDescription?) -> Gym_V1_Request.OneOf_Body {
        .hello(.with {
            $0.protocolVersion = gymProtocolVersion
            $0.clientName = "test"
            if let description { $0.description_p = description }
        })
    }

    @Test(arguments: Transport.allCases) func badDescriptionsAreRejectedAndTheClientIsStillServed(_ transport: Transport) throws {
        try withDaemon(over: transport) { daemon in
            let client = try daemon.client()
            #expect(try client.call(1, Self.hello(Self.train)).hello.protocolVersion == gymProtocolVersion)
            let bad: [(String, Gym_V1_ClientDescription)] = [
                ("run of 257 bytes", .init(run: String(repeating: "r", count: 257), algorithm: "dqn", role: .train)),
                ("newline in the run", .init(run: "a\nfake log line", algorithm: "dqn", role: .train)),
                ("escape in the algorithm", .init(run: "a", algorithm: "dqn\u{1B}[2J", role: .train)),
                ("unknown role", .init(run: "a", algorithm: "dqn", role: .UNRECOGNIZED(9))),
            ]
            for (what, description) in bad {
                let reply = try client.call(2, Self.hello(description))
                #expect(reply.error.code == .invalidArgument, "\(what): \(reply)")
                #expect(reply.error.message.contains("description"), "\(what): \(reply.error.message)")
            }
            #expect(try client.stillServed())
        }
    }

    @Test(arguments: Transport.allCases) func aHelloFromBeforeDescriptionsIsAnsweredAsBefore(_ transport: Transport) throws {
        try withDaemon(over: transport) { daemon in
            let client = try daemon.client()
            // Request{id: 1, hello: Hello{protocol_version: 1}}, as the first clients encoded it.
            try client.send(frames: [[0x08, 0x01, 0x12, 0x02, 0x08, 0x01]])
            let reply = try client.receive().response
            #expect(!reply.hasError && reply.id == 1 && reply.hello.protocolVersion == 1, "\(reply)")
            #expect(try client.stillServed())
        }
    }

    @Test func theLatestDescriptionTravelsWithTheBatchesMadeAfterIt() throws {
        let configuration = DaemonConfiguration(bind: "inproc://descriptions", workers: 1, registry: try testRegistry())
        let router = RequestRouter(configuration: configuration, logger: quietLogger)
        let worker = EnvWorker(registry: configuration.registry)
        func send(_ client: [UInt8], _ body: Gym_V1_Request.OneOf_Body) throws -> RequestRouter.Action {
            let action = router.route(client: ClientID(client), frames: [try Gym_V1_Request.with { $0.id = 7; $0.body = body }.serializedBytes()], now: 0)
            if case .reply(_, let response) = action { #expect(!response.hasError, "\(response)") }
            return action
        }
        func makeJob(_ client: [UInt8]) throws -> Job {
            guard case .dispatch(_, let job) = try send(client, .make(.with { $0.envID = "CartPole-v1"; $0.numEnvs = 1 })) else {
                throw GymError(.internalError, "make was not dispatched")
            }
            return job
        }
        func madeEvent(_ job: Job) throws -> Gym_V1_MakeEvent {
            let response = worker.execute(job)
            let reply = try Gym_V1_Response(serializedBytes: response.frames?.last ?? [])
            let bytes = try #require(EventEncoding.event(for: job, response: reply, resetSeeds: nil))
            return try Gym_V1_Event(serializedBytes: bytes).make
        }

        let trainer: [UInt8] = [0, 0, 0, 0, 1]
        _ = try send(trainer, Self.hello(Self.train))
        let training = try makeJob(trainer)
        var validate = Self.train
        validate.role = .validate
        _ = try send(trainer, Self.hello(validate))
        let validation = try makeJob(trainer)
        #expect(training.clientDescription == Self.train)
        #expect(validation.clientDescription == validate)
        let event = try madeEvent(validation)
        #expect(event.hasClient && event.client.run == Self.train.run && event.client.role == .validate)

        // Another client that said nothing of itself: its batches carry nothing.
        let anonymous: [UInt8] = [0, 0, 0, 0, 2]
        _ = try send(anonymous, Self.hello(nil))
        let plain = try makeJob(anonymous)
        #expect(plain.clientDescription == nil)
        #expect(try !madeEvent(plain).hasClient)
    }
}
