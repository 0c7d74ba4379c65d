// A libFuzzer harness for what `gym record` does with the daemon's event stream (issue 13,
// item 6): each input is up to 64 length-prefixed Event frames (FuzzFrames), decoded and
// assembled into episodes in turn by a fresh EpisodeAssembler writing into an in-memory
// recording, as the recorder's thread does with each frame its SUB socket receives.
import Foundation
import FuzzSupport
import GymCore
import GymProtocol
import Recorder

func runEventInput(_ bytes: [UInt8]) {
    guard let store = try? EpisodeStore(path: ":memory:", source: "fuzz") else { return }
    let assembler = EpisodeAssembler(sink: store)
    for frame in FuzzFrames.split(bytes) {
        do {
            try frame.withUnsafeBytes { try assembler.consume($0) }
        } catch {
            // The recorder counts and skips an event it cannot decode or use; so does this.
        }
    }
    try? assembler.finishRunning()
    try? store.commit()
}

func eventSeeds() throws -> [(String, [UInt8])] {
    let attached = try Gym_V1_Event.with {
        $0.attached = .with { $0.daemon = "gym"; $0.protocolVersion = gymProtocolVersion; $0.policy = "block"; $0.droppedEvents = 2 }
    }.serializedBytes() as [UInt8]
    var seeds: [(String, [UInt8])] = [("attached", FuzzFrames.join([attached]))]
    for mode in [AutoresetMode.nextStep, .sameStep, .disabled] {
        // CartPole ends episodes quickly when pushed one way: every autoreset path runs.
        let cartPole = try DaemonEvents.frames(env: "CartPole-v1", numEnvs: 2, autoreset: mode, steps: 40) { _ in
            NDArray(dtype: .int64, shape: [2], values: [1, 1])
        }
        seeds.append(("cartpole-\(mode)", FuzzFrames.join(cartPole)))
    }
    let pendulum = try DaemonEvents.frames(env: "Pendulum-v1", numEnvs: 3, autoreset: .nextStep, steps: 8) { t in
        NDArray(dtype: .float32, shape: [3, 1], values: [Double(t % 3) - 1, 0.5, -2])
    }
    seeds.append(("pendulum", FuzzFrames.join(pendulum)))
    let acrobot = try DaemonEvents.frames(env: "Acrobot-v1", numEnvs: 1, autoreset: .sameStep, steps: 5) { t in
        NDArray(dtype: .int64, shape: [1], values: [Double(t % 3)])
    }
    seeds.append(("acrobot", FuzzFrames.join(acrobot)))
    return seeds
}

@main
enum EventDecodeHarness {
    static func main() throws { try FuzzHarness.main(seeds: eventSeeds, run: runEventInput) }
}
