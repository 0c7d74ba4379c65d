// A libFuzzer harness for the parameter service's request handling without sockets (issue 13,
// item 6): each input is up to 64 length-prefixed ParametersRequest frames (FuzzFrames) from one
// worker, handled in turn by a fresh ParameterServer that holds published weights, in front of
// a learner that adds up what workers report as the real ones do.
import Foundation
import FuzzSupport
import GymCore
import GymProtocol
import Logging
import ParameterService

/// A learner that keeps the counters a distributed learner keeps, in plain `Int`s, so a report
/// the service let through with an absurd count traps here as it would in A3C or Ape-X.
final class CountingLearner: ParameterLearner {
    var workers = 0
    var envSteps = 0
    var episodes = 0
    var stepsInEpisodes = 0

    func join(name: String) throws -> (index: UInt32, settings: ValueMap) {
        guard workers < 4 else { throw GymError(.quotaExceeded, "every worker slot is taken") }
        workers += 1
        return (UInt32(workers - 1), ["env": .text("CartPole-v1"), "seed": .integer(Int64(workers))])
    }

    func apply(gradients: [UInt8], from version: UInt64, worker: UInt32, stats: Gym_V1_EpisodeStats) throws -> [UInt8]? {
        count(stats)
        return gradients.isEmpty ? nil : gradients
    }

    func report(worker: UInt32, version: UInt64, stats: Gym_V1_EpisodeStats) { count(stats) }

    private func count(_ stats: Gym_V1_EpisodeStats) {
        envSteps += Int(stats.envSteps)
        episodes += stats.episodeReturns.count
        stepsInEpisodes += stats.episodeLengths.reduce(0) { $0 + Int($1) }
    }
}

let silent = Logger(label: "fuzz.parameters") { _ in SwiftLogNoOpLogHandler() }
let worker: [UInt8] = [0, 9, 9, 9]

func runParameterInput(_ bytes: [UInt8]) {
    let learner = CountingLearner()
    let server = ParameterServer(bind: "inproc://fuzz-parameters", learner: learner, logger: silent)
    server.limits = ParameterLimits(maxWeightsBytes: 1 << 20)
    server.publish(Array(repeating: 7, count: 64))
    for frame in FuzzFrames.split(bytes) {
        server.handle([worker, frame]) { _, response in _ = try? response.serializedBytes() as [UInt8] }
    }
    withExtendedLifetime(learner) {}
}

func parameterSeeds() throws -> [(String, [UInt8])] {
    func request(_ body: Gym_V1_ParametersRequest.OneOf_Body) throws -> [UInt8] {
        try Gym_V1_ParametersRequest.with { $0.id = 3; $0.body = body }.serializedBytes()
    }
    let stats = Gym_V1_EpisodeStats.with { $0.envSteps = 200; $0.episodeReturns = [10, 21.5]; $0.episodeLengths = [10, 22] }
    let bodies: [(String, [Gym_V1_ParametersRequest.OneOf_Body])] = [
        ("hello", [.hello(.with { $0.protocolVersion = gymProtocolVersion })]),
        ("join", [.join(.with { $0.name = "worker-0" }), .join(.with { $0.name = "worker-1" })]),
        ("fetch", [.fetch(.with { $0.newerThan = 0 })]),
        ("fetch-wait", [.fetch(.with { $0.newerThan = 1; $0.timeoutMs = 100 }), .publish(.with { $0.safetensors = Data([1, 2, 3]) })]),
        ("push", [.pushGradients(.with { $0.workerIndex = 0; $0.version = 1; $0.safetensors = Data([4, 5, 6]); $0.stats = stats })]),
        ("report", [.report(.with { $0.workerIndex = 1; $0.version = 1; $0.stats = stats })]),
        ("publish", [.publish(.with { $0.safetensors = Data(repeating: 1, count: 100) }), .fetch(.with { $0.newerThan = 1 })]),
    ]
    return try bodies.map { name, requests in (name, FuzzFrames.join(try requests.map(request))) }
}

@main
enum ParameterHandlerHarness {
    static func main() throws { try FuzzHarness.main(seeds: parameterSeeds, run: runParameterInput) }
}
