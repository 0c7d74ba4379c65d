import Foundation
import GymCore
import GymProtocol
import ParameterService
import Testing
import ZeroMQ

/// A learner that adds up what its workers report in plain `Int`s, as A3C and Ape-X do: a
/// report the service lets through with env_steps = 2^64-1 traps it.
final class CountingLearner: ParameterLearner {
    var steps = 0
    var episodes = 0
    func join(name: String) throws -> (index: UInt32, settings: ValueMap) { (0, [:]) }
    func apply(gradients: [UInt8], from version: UInt64, worker: UInt32, stats: Gym_V1_EpisodeStats) throws -> [UInt8]? {
        steps += Int(stats.envSteps)
        return nil
    }
    func report(worker: UInt32, version: UInt64, stats: Gym_V1_EpisodeStats) throws {
        steps += Int(stats.envSteps)
        episodes += min(stats.episodeReturns.count, stats.episodeLengths.count)
    }
}

/// Issue 13's parameter-service crashers: each is now a typed error and the learner lives on.
@Suite(.serialized) struct HostileReportTests {
    final class Worker {
        let socket: Socket
        init(_ endpoint: String) throws {
            socket = try Socket(.shared, .dealer)
            try socket.setReceiveTimeout(milliseconds: 5000)
            try socket.connect(endpoint)
        }
        func call(_ id: UInt64, _ body: Gym_V1_ParametersRequest.OneOf_Body) throws -> Gym_V1_ParametersResponse {
            try socket.send(try Gym_V1_ParametersRequest.with { $0.id = id; $0.body = body }.serializedBytes() as [UInt8])
            return try Gym_V1_ParametersResponse(serializedBytes: try socket.receiveMessage().last ?? [])
        }
    }

    func withServer(limits: ParameterLimits = ParameterLimits(), _ body: (ParameterServer, CountingLearner, Worker) throws -> Void) throws {
        let learner = CountingLearner()
        let server = ParameterServer(bind: "tcp://127.0.0.1:*", learner: learner)
        server.limits = limits
        try server.start()
        defer { server.shutdown() }
        try body(server, learner, try Worker(server.endpoint))
    }

    func expectError(_ response: Gym_V1_ParametersResponse, _ code: Gym_V1_ErrorCode, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.hasError, sourceLocation: sourceLocation)
        #expect(response.error.code == code, "got \(response.error.code): \(response.error.message)", sourceLocation: sourceLocation)
    }

    static func stats(steps: UInt64, returns: [Double] = [], lengths: [UInt32] = []) -> Gym_V1_EpisodeStats {
        .with { $0.envSteps = steps; $0.episodeReturns = returns; $0.episodeLengths = lengths }
    }

    @Test func absurdReportsAreRejectedBeforeTheLearnerSeesThem() throws {
        try withServer { _, learner, worker in
            for stats in [Self.stats(steps: .max), Self.stats(steps: 1_000_001),
                          Self.stats(steps: 1, returns: [1, 2], lengths: [3]),
                          Self.stats(steps: 1, returns: [.nan], lengths: [1]),
                          Self.stats(steps: 1, returns: Array(repeating: 1, count: 10_001), lengths: Array(repeating: 1, count: 10_001))] {
                expectError(try worker.call(1, .report(.with { $0.stats = stats })), .invalidArgument)
                expectError(try worker.call(2, .pushGradients(.with { $0.stats = stats })), .invalidArgument)
            }
            #expect(learner.steps == 0 && learner.episodes == 0)
            let good = try worker.call(3, .report(.with { $0.stats = Self.stats(steps: 1_000_000, returns: [1], lengths: [10]) }))
            #expect(!good.hasError)
            #expect(learner.steps == 1_000_000 && learner.episodes == 1)
        }
    }

    @Test func parkedFetchesAreBounded() throws {
        try withServer(limits: ParameterLimits(maxParkedFetches: 4)) { server, _, worker in
            let fetch = Gym_V1_ParametersRequest.with { $0.id = 0; $0.fetch = .with { $0.newerThan = 10; $0.timeoutMs = 60_000 } }
            for id in 1...4 {
                var request = fetch
                request.id = UInt64(id)
                try worker.socket.send(try request.serializedBytes() as [UInt8])
            }
            let refused = try worker.call(5, .fetch(.with { $0.newerThan = 10; $0.timeoutMs = 60_000 }))
            #expect(refused.id == 5)
            expectError(refused, .quotaExceeded)
            server.finish()
        }
    }

    @Test func aFetchAskingToWaitForDaysIsAnsweredWithinTheServicesLongestWait() throws {
        // The worker's receive timeout is 5 s: a fetch parked for its full 49 days would fail the call.
        try withServer(limits: ParameterLimits(maxFetchWaitMilliseconds: 300)) { _, _, worker in
            let reply = try worker.call(7, .fetch(.with { $0.newerThan = 10; $0.timeoutMs = .max }))
            #expect(reply.id == 7 && !reply.hasError)
            #expect(reply.weights.safetensors.isEmpty)
        }
    }

    @Test func aBurstOfFetchesLargerThanTheSocketsQueueIsAnsweredInFull() throws {
        // 120 half-megabyte weights replies to a worker that reads none of them yet: more than
        // libzmq queues for one peer (64) plus what the loopback connection holds; the rest wait
        // in the service's backlog until the worker reads, instead of being dropped.
        try withServer { server, _, worker in
            server.publish([UInt8](repeating: 7, count: 512 << 10))
            try worker.socket.setReceiveHighWaterMark(1)
            let count = 120
            for id in 1...count {
                try worker.socket.send(try Gym_V1_ParametersRequest.with {
                    $0.id = UInt64(id)
                    $0.fetch = .with { $0.newerThan = 0; $0.timeoutMs = 0 }
                }.serializedBytes() as [UInt8])
            }
            Thread.sleep(forTimeInterval: 1)
            var ids: Set<UInt64> = []
            while ids.count < count, let frames = try? worker.socket.receiveMessage() {
                let reply = try Gym_V1_ParametersResponse(serializedBytes: frames.last ?? [])
                #expect(!reply.hasError && reply.weights.safetensors.count == 512 << 10)
                ids.insert(reply.id)
            }
            #expect(ids == Set((1...count).map(UInt64.init)))
        }
    }

    @Test func oversizedWeightsAreRejected() throws {
        try withServer(limits: ParameterLimits(maxWeightsBytes: 1024)) { server, _, worker in
            expectError(try worker.call(2, .pushGradients(.with { $0.safetensors = Data(count: 2048) })), .invalidArgument)
            #expect(server.currentVersion == 0)
        }
    }
}
