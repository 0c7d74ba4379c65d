// A differential libFuzzer harness for the client's hand-written step reply decoder
// (StepReplyWire): any bytes a daemon might send are read by it and by swift-protobuf, and the
// two must agree whenever the hand decoder answers. Built normally it replays its corpus
// (Fuzz/Support), as every harness here does.
import ClassicControl
import Foundation
import FuzzSupport
import GymCore
import GymProtocol

/// One input as a daemon's reply frame: both decoders read it; a disagreement is a crash.
func runStepReplyInput(_ bytes: [UInt8]) {
    let fast = bytes.withUnsafeBytes(StepReplyWire.decode)
    let response = try? Gym_V1_Response(serializedBytes: bytes)
    let slow = response.flatMap { try? DecodedStepReply($0) }
    if let fast, fast != slow {
        fatalError("the hand decoder read \(bytes.count) bytes as a reply swift-protobuf reads differently")
    }
    if let response, let peeked = bytes.withUnsafeBytes(StepReplyWire.responseID), peeked != response.id {
        fatalError("the id read ahead (\(peeked)) is not the reply's (\(response.id))")
    }
}

/// Step replies of a CartPole batch in both autoreset modes, and an error reply.
func stepReplySeeds() throws -> [(String, [UInt8])] {
    var registry = EnvRegistry()
    try ClassicControl.register(into: &registry)
    let spec = try registry.require("CartPole-v1")
    var seeds: [(String, [UInt8])] = []
    for (name, mode) in [("next-step", AutoresetMode.nextStep), ("same-step", .sameStep)] {
        let batch = try EnvBatch(spec: spec, count: 4, seed: 1, autoreset: mode)
        try batch.reset()
        for _ in 0..<12 { try batch.step(actions: [NDArray(dtype: .int64, shape: [4], values: [1, 1, 1, 1])]) }
        let final: Gym_V1_FinalObservations? = batch.finalIndices.isEmpty ? nil : .with {
            $0.envIndices = batch.finalIndices.map { UInt32($0) }
            $0.observations = batch.finalObservationArrays().map(Gym_V1_Tensor.init)
        }
        seeds.append((name, try StepReplyWire.encode(
            id: 5, leaves: batch.observationLeaves.map(StepReplyWire.Leaf.init), rows: batch.count, stride: batch.observationBytes,
            observations: batch.observations, rewards: batch.rewards, terminated: batch.terminated, truncated: batch.truncated,
            infos: [.with { $0.envIndex = 1; $0.info = ["k": Gym_V1_Value(.number(2))] }], final: final)))
    }
    seeds.append(("error", try Gym_V1_Response.failure(id: 6, GymError(.invalidAction, "bad action")).serializedBytes()))
    return seeds
}

@main
enum StepReplyDecodeHarness {
    static func main() throws { try FuzzHarness.main(seeds: stepReplySeeds, run: runStepReplyInput) }
}
