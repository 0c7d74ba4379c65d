import Foundation
import GymCore
import GymProtocol
import NeuralNet
import ParameterService
import Testing
import ZeroMQ

/// A learner that takes every gradient it is handed (as a careless one would): anything the
/// service lets through reaches `applied`.
final class RecordingLearner: ParameterLearner {
    var applied: [[String: Tensor]] = []
    func join(name: String) throws -> (index: UInt32, settings: ValueMap) { (0, [:]) }
    func apply(gradients: [UInt8], from version: UInt64, worker: UInt32, stats: Gym_V1_EpisodeStats) throws -> [UInt8]? {
        applied.append(try SafeTensors.decode(gradients).tensors)
        return nil
    }
    func report(worker: UInt32, version: UInt64, stats: Gym_V1_EpisodeStats) throws {}
}

/// Issue 14's rogue peers: pushes that do not fit the learner's network, and weights published
/// by anyone but the learner, are refused with typed errors and change nothing.
@Suite(.serialized) struct RoguePushTests {
    static let network: [String: Tensor] = ["fc.weight": Tensor(shape: [2, 3], repeating: 0.5), "fc.bias": Tensor(shape: [2], repeating: 0)]

    func withServer(_ body: (ParameterServer, RecordingLearner, HostileReportTests.Worker) throws -> Void) throws {
        let learner = RecordingLearner()
        let server = ParameterServer(bind: "tcp://127.0.0.1:*", learner: learner)
        server.publish(try SafeTensors.encode(Self.network))
        try server.start()
        defer { server.shutdown() }
        try body(server, learner, try HostileReportTests.Worker(server.endpoint))
    }

    static func push(_ bytes: [UInt8]) -> Gym_V1_ParametersRequest.OneOf_Body {
        .pushGradients(.with { $0.version = 1; $0.safetensors = Data(bytes); $0.stats = .with { $0.envSteps = 10 } })
    }

    @Test func gradientsThatDoNotFitTheNetworkNeverReachTheLearner() throws {
        try withServer { server, learner, worker in
            var nan = Self.network
            nan["fc.bias"] = Tensor(shape: [2], data: [0, .nan])
            var infinite = Self.network
            infinite["fc.weight"] = Tensor(shape: [2, 3], data: [1, 2, 3, .infinity, 5, 6])
            var stranger = Self.network
            stranger["other.weight"] = Tensor(shape: [1], data: [1])
            let rogue: [[UInt8]] = [
                try SafeTensors.encode(["fc.weight": Tensor(shape: [3, 2], repeating: 1)]),
                try SafeTensors.encode(["fc.weight": Tensor(shape: [6], repeating: 1)]),
                try SafeTensors.encode(nan), try SafeTensors.encode(infinite), try SafeTensors.encode(stranger),
                Array("not safetensors at all".utf8), [],
                // An F64 tensor: a dtype the networks do not hold.
                Self.safetensors(header: #"{"fc.bias":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}}"#, data: 16),
            ]
            for (index, bytes) in rogue.enumerated() {
                let reply = try worker.call(UInt64(index + 1), Self.push(bytes))
                #expect(reply.error.code == .invalidArgument, "push \(index): \(reply.error.code) \(reply.error.message)")
            }
            #expect(learner.applied.isEmpty)
            #expect(server.currentVersion == 1)
            // A push that fits gets through, a subset of the network's tensors included.
            #expect(!(try worker.call(100, Self.push(try SafeTensors.encode(Self.network)))).hasError)
            #expect(!(try worker.call(101, Self.push(try SafeTensors.encode(["fc.bias": Tensor(shape: [2], data: [1, 2])])))).hasError)
            #expect(learner.applied.count == 2)
        }
    }

    @Test func onlyTheLearnerPublishes() throws {
        try withServer { server, _, worker in
            var nan = Self.network
            nan["fc.bias"] = Tensor(shape: [2], data: [.nan, .nan])
            for (index, bytes) in [try SafeTensors.encode(nan), try SafeTensors.encode(Self.network), []].enumerated() {
                let reply = try worker.call(UInt64(index + 1), .publish(.with { $0.safetensors = Data(bytes) }))
                #expect(reply.error.code == .notOwner, "\(reply.error.code) \(reply.error.message)")
            }
            #expect(server.currentVersion == 1)
            let fetched = try worker.call(10, .fetch(.with { $0.newerThan = 0 }))
            #expect(try SafeTensors.decode([UInt8](fetched.weights.safetensors)).tensors == Self.network)
            server.publish(try SafeTensors.encode(Self.network))
            #expect(server.currentVersion == 2)
        }
    }

    /// A safetensors file of `header` and `data` zero bytes.
    static func safetensors(header: String, data: Int) -> [UInt8] {
        let json = Array(header.utf8)
        return withUnsafeBytes(of: UInt64(json.count).littleEndian, Array.init) + json + [UInt8](repeating: 0, count: data)
    }
}
