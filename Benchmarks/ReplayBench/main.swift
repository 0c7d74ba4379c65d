// The replay buffer's add and sample timings and memory, for one observation shape, beside
// the layout it replaced (every (s, s') pair as floats), run on the same data in one process.
//
//   ReplayBench SHAPE [--capacity N] [--envs N] [--batch N] [--samples N]
//
// SHAPE: `minatar` (bool 10×10×4) or `atari` (uint8 4×84×84 frame stacks, FrameStackObservation's
// shift and reset padding). Episodes are 1,000 steps long. Prints one JSON line per layout:
// microseconds per added transition (into a full ring), per sampled batch, and allocated bytes
// per transition.
// Build it in release: `swift build -c release --product ReplayBench`.
import Agents
import Foundation
import GymCore
import NeuralNet

struct Options {
    var shape = ""
    var capacity = 20_000
    var envs = 4
    var batch = 32
    var samples = 2_000

    static func parse(_ arguments: [String]) -> Options? {
        var options = Options()
        var rest = arguments[...]
        guard let shape = rest.popFirst(), ["minatar", "atari"].contains(shape) else { return nil }
        options.shape = shape
        while let flag = rest.popFirst() {
            guard let text = rest.popFirst(), let value = Int(text), value > 0 else { return nil }
            switch flag {
            case "--capacity": options.capacity = value
            case "--envs": options.envs = value
            case "--batch": options.batch = value
            case "--samples": options.samples = value
            default: return nil
            }
        }
        return options
    }
}

/// The layout before: observations and next observations as float rows.
struct FloatPairs {
    let capacity: Int, width: Int
    var count = 0, next = 0
    var observations: [Float], nextObservations: [Float], actions: [Float], rewards: [Float], terminated: [Float]

    init(capacity: Int, width: Int) {
        (self.capacity, self.width) = (capacity, width)
        observations = Array(repeating: 0, count: capacity * width)
        nextObservations = Array(repeating: 0, count: capacity * width)
        (actions, rewards, terminated) = (Array(repeating: 0, count: capacity), Array(repeating: 0, count: capacity), Array(repeating: 0, count: capacity))
    }

    mutating func add(_ t: Transitions, row: Int, reward: Float) {
        let source = (row * width)..<((row + 1) * width), target = (next * width)..<((next + 1) * width)
        observations.replaceSubrange(target, with: t.observations[source])
        nextObservations.replaceSubrange(target, with: t.nextObservations[source])
        actions[next] = Float(t.actions[row])
        rewards[next] = reward
        terminated[next] = t.terminated[row] ? 1 : 0
        next = (next + 1) % capacity
        count = min(count + 1, capacity)
    }

    func sample(random: inout SeededRNG, into batch: inout ReplayBatch) {
        for row in 0..<batch.size {
            let index = random.nextInt(below: count)
            for k in 0..<width {
                batch.observations.data[row * width + k] = observations[index * width + k]
                batch.nextObservations.data[row * width + k] = nextObservations[index * width + k]
            }
            batch.actions.data[row] = actions[index]
            batch.rewards[row] = rewards[index]
            batch.terminated[row] = terminated[index]
        }
    }

    var allocatedBytes: Int { (observations.capacity + nextObservations.capacity + actions.capacity + rewards.capacity + terminated.capacity) * 4 }
}

/// Steps of `envs` environments in lockstep, same-step autoreset, made before timing starts.
func makeSteps(_ options: Options, space: Space, count: Int) -> [Transitions] {
    var random = SeededRNG(seed: 1)
    let stacked = ReplayBuffer.stackedFrames(space)
    let width = space.shape.reduce(1, *), frame = width / stacked
    func frameValues() -> [Float] { (0..<frame).map { _ in Float(random.nextInt(below: options.shape == "atari" ? 256 : 2)) } }
    func reset() -> [Float] { let f = frameValues(); return Array((0..<stacked).map { _ in f }.joined()) }
    var current = (0..<options.envs).map { _ in reset() }
    var steps: [Transitions] = []
    for step in 0..<count {
        var observations: [Float] = [], nextObservations: [Float] = [], ended: [Bool] = []
        for env in 0..<options.envs {
            observations += current[env]
            let next = stacked > 1 ? Array(current[env].dropFirst(frame)) + frameValues()
                                   : (0..<width).map { _ in Float(random.nextInt(below: 2)) }
            nextObservations += next
            let end = (step + 250 * env) % 1000 == 999
            ended.append(end)
            current[env] = end ? reset() : next
        }
        steps.append(Transitions(observations: observations, actions: Array(repeating: 1, count: options.envs),
                                 rewards: Array(repeating: 0, count: options.envs), nextObservations: nextObservations,
                                 terminated: ended, truncated: Array(repeating: false, count: options.envs), finished: []))
    }
    return steps
}

func microseconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1000
}

guard let options = Options.parse(Array(CommandLine.arguments.dropFirst())) else {
    FileHandle.standardError.write(Data("usage: ReplayBench minatar|atari [--capacity N] [--envs N] [--batch N] [--samples N]\n".utf8))
    exit(2)
}
let space: Space = options.shape == "atari" ? .box(low: [0], high: [255], shape: [4, 84, 84], dtype: .uint8)
                                            : .box(low: [0], high: [1], shape: [10, 10, 4], dtype: .bool)
let width = space.shape.reduce(1, *)
let steps = makeSteps(options, space: space, count: options.capacity / options.envs + 10)
let transitions = steps.count * options.envs

var compact = try ReplayBuffer(capacity: options.capacity, observationSize: width, storage: ObservationStorage(space),
                               frames: ReplayBuffer.stackedFrames(space))
var pairs = FloatPairs(capacity: options.capacity, width: width)
// A first, untimed pass fills both rings (and touches every page the compact pool grows into,
// as the float pairs' zeroed arrays are touched when made); the timed pass overwrites them.
for t in steps { for row in 0..<options.envs { compact.add(t, row: row, reward: 0); pairs.add(t, row: row, reward: 0) } }
let addCompact = microseconds { for t in steps { for row in 0..<options.envs { compact.add(t, row: row, reward: 0) } } }
let addPairs = microseconds { for t in steps { for row in 0..<options.envs { pairs.add(t, row: row, reward: 0) } } }
var batch = compact.makeBatch(size: options.batch)
var random = SeededRNG(seed: 2)
let sampleCompact = microseconds { for _ in 0..<options.samples { compact.sample(random: &random, into: &batch) } }
random = SeededRNG(seed: 2)
let samplePairs = microseconds { for _ in 0..<options.samples { pairs.sample(random: &random, into: &batch) } }
for (name, add, sample, bytes) in [("float-pairs", addPairs, samplePairs, pairs.allocatedBytes),
                                   ("compact", addCompact, sampleCompact, compact.allocatedBytes)] {
    print("{\"shape\":\"\(options.shape)\",\"layout\":\"\(name)\",\"capacity\":\(options.capacity),\"envs\":\(options.envs),"
          + "\"add_us_per_transition\":\(String(format: "%.3f", add / Double(transitions))),"
          + "\"sample_us_per_batch\":\(String(format: "%.2f", sample / Double(options.samples))),\"batch\":\(options.batch),"
          + "\"bytes_per_transition\":\(bytes / options.capacity)}")
}
