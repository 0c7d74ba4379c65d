@testable import Agents
import Foundation
import GymCore
import NeuralNet
import Testing

/// The replay buffer that stored every `(s, s')` pair as floats, kept as the reference the
/// compact buffer must match bit for bit (same draws, same index mapping).
struct ReferenceReplay {
    let capacity: Int, width: Int, actionSize: Int
    var count = 0, next = 0
    var observations: [Float], nextObservations: [Float], actions: [Float], rewards: [Float], terminated: [Float]

    init(capacity: Int, width: Int, actionSize: Int = 1) {
        (self.capacity, self.width, self.actionSize) = (capacity, width, actionSize)
        observations = Array(repeating: 0, count: capacity * width)
        nextObservations = Array(repeating: 0, count: capacity * width)
        actions = Array(repeating: 0, count: capacity * actionSize)
        rewards = Array(repeating: 0, count: capacity)
        terminated = Array(repeating: 0, count: capacity)
    }

    mutating func add(observation: ArraySlice<Float>, action: ArraySlice<Float>, reward: Float, nextObservation: ArraySlice<Float>, terminated flag: Bool) {
        observations.replaceSubrange((next * width)..<((next + 1) * width), with: observation)
        nextObservations.replaceSubrange((next * width)..<((next + 1) * width), with: nextObservation)
        actions.replaceSubrange((next * actionSize)..<((next + 1) * actionSize), with: action)
        rewards[next] = reward
        terminated[next] = flag ? 1 : 0
        next = (next + 1) % capacity
        count = min(count + 1, capacity)
    }

    func sample(random: inout SeededRNG, size: Int) -> ReplayBatch {
        var batch = ReplayBatch(observations: .zeros([size, width]), actions: .zeros([size, actionSize]), rewards: Array(repeating: 0, count: size),
                                nextObservations: .zeros([size, width]), terminated: Array(repeating: 0, count: size))
        for row in 0..<size {
            let index = random.nextInt(below: count)
            for k in 0..<width {
                batch.observations.data[row * width + k] = observations[index * width + k]
                batch.nextObservations.data[row * width + k] = nextObservations[index * width + k]
            }
            for k in 0..<actionSize { batch.actions.data[row * actionSize + k] = actions[index * actionSize + k] }
            batch.rewards[row] = rewards[index]
            batch.terminated[row] = terminated[index]
        }
        return batch
    }

    /// Bytes this layout allocates per transition.
    var bytesPerTransition: Int { (2 * width + actionSize + 2) * 4 }
}

/// N environments stepped in lockstep with same-step autoreset: an episode's last transition
/// carries its final observation, and the environment continues from a fresh reset one.
struct LockstepStreams {
    var random: SeededRNG
    let envs: Int, width: Int, bytes: Bool, lengths: ClosedRange<Int>
    var current: [[Float]] = []
    var remaining: [Int] = []
    var steps = 0

    init(seed: UInt64, envs: Int, width: Int, bytes: Bool, lengths: ClosedRange<Int>) {
        random = SeededRNG(seed: seed)
        (self.envs, self.width, self.bytes, self.lengths) = (envs, width, bytes, lengths)
        for _ in 0..<envs {
            current.append(observation())
            remaining.append(length())
        }
    }

    mutating func length() -> Int { lengths.lowerBound + random.nextInt(below: lengths.count) }

    mutating func observation() -> [Float] {
        (0..<width).map { _ in
            if bytes { return Float(random.nextInt(below: 256)) }
            // Signed zeros and a NaN now and then: the links must compare bits, not values.
            switch random.nextInt(below: 40) {
            case 0: return -0.0
            case 1: return 0
            case 2: return Float(bitPattern: 0x7FC0_1234)
            default: return random.nextUniform(low: -1, high: 1)
            }
        }
    }

    /// One step of every environment.
    mutating func step() -> Transitions {
        var observations: [Float] = [], nextObservations: [Float] = [], actions: [Int] = [], rewards: [Double] = []
        var terminated: [Bool] = [], truncated: [Bool] = []
        for env in 0..<envs {
            observations += current[env]
            let next = observation()
            nextObservations += next
            actions.append(random.nextInt(below: 5))
            rewards.append(Double(random.nextInt(below: 100)) - 50)
            remaining[env] -= 1
            let ended = remaining[env] == 0
            let cut = ended && random.nextInt(below: 2) == 0
            terminated.append(ended && !cut)
            truncated.append(cut)
            if ended {
                current[env] = observation()
                remaining[env] = length()
            } else {
                current[env] = next
            }
        }
        steps += 1
        return Transitions(observations: observations, actions: actions, rewards: rewards, nextObservations: nextObservations,
                           terminated: terminated, truncated: truncated, finished: [])
    }
}

/// N environments whose observations are stacks of their last `frames` frames, newest last,
/// as Gymnasium's `FrameStackObservation` gives them (after a reset: the reset frame repeated),
/// with same-step autoreset. With `glitches`, now and then a next observation does not shift.
struct FrameStackStreams {
    var random: SeededRNG
    let envs: Int, frames: Int, frameWidth: Int, bytes: Bool, glitches: Bool, lengths: ClosedRange<Int>
    var stacks: [[[Float]]] = []
    var remaining: [Int] = []

    init(seed: UInt64, envs: Int, frames: Int, frameWidth: Int, bytes: Bool, glitches: Bool = false, lengths: ClosedRange<Int>) {
        random = SeededRNG(seed: seed)
        (self.envs, self.frames, self.frameWidth, self.bytes, self.glitches, self.lengths) = (envs, frames, frameWidth, bytes, glitches, lengths)
        for _ in 0..<envs {
            stacks.append(reset())
            remaining.append(lengths.lowerBound + random.nextInt(below: lengths.count))
        }
    }

    mutating func frame() -> [Float] {
        (0..<frameWidth).map { _ in bytes ? Float(random.nextInt(below: 256)) : random.nextUniform(low: -1, high: 1) }
    }

    mutating func reset() -> [[Float]] { Array(repeating: frame(), count: frames) }

    mutating func step() -> Transitions {
        var observations: [Float] = [], nextObservations: [Float] = [], terminated: [Bool] = [], truncated: [Bool] = []
        for env in 0..<envs {
            observations += stacks[env].flatMap { $0 }
            var next = Array(stacks[env].dropFirst()) + [frame()]
            if glitches, random.nextInt(below: 7) == 0 { next = (0..<frames).map { _ in frame() } }
            nextObservations += next.flatMap { $0 }
            remaining[env] -= 1
            let ended = remaining[env] == 0
            terminated.append(ended && env % 2 == 0)
            truncated.append(ended && env % 2 == 1)
            if ended {
                stacks[env] = reset()
                remaining[env] = lengths.lowerBound + random.nextInt(below: lengths.count)
            } else {
                stacks[env] = next
            }
        }
        return Transitions(observations: observations, actions: (0..<envs).map { _ in random.nextInt(below: 4) },
                           rewards: (0..<envs).map { _ in Double(random.nextInt(below: 3)) }, nextObservations: nextObservations,
                           terminated: terminated, truncated: truncated, finished: [])
    }
}

/// Adds one lockstep step to both buffers, row by row in environment order, as the loops do.
func add(_ t: Transitions, to buffer: inout ReplayBuffer, and reference: inout ReferenceReplay) {
    let width = reference.width
    for row in 0..<t.rewards.count {
        buffer.add(t, row: row, reward: Float(t.rewards[row]))
        reference.add(observation: t.observations[(row * width)..<((row + 1) * width)], action: [Float(t.actions[row])],
                      reward: Float(t.rewards[row]), nextObservation: t.nextObservations[(row * width)..<((row + 1) * width)],
                      terminated: t.terminated[row])
    }
}

func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

/// Whether each frame row's use count is the number of filled slots' observations using it.
func usesAreConsistent(_ buffer: ReplayBuffer) -> Bool {
    var uses = [Int32](repeating: 0, count: buffer.frameUses.count)
    for index in 0..<(buffer.count * buffer.frames) {
        uses[Int(buffer.observationFrames[index])] += 1
        uses[Int(buffer.nextObservationFrames[index])] += 1
    }
    return uses == buffer.frameUses && buffer.freeFrameRows.allSatisfy { uses[Int($0)] == 0 }
        && uses.indices.allSatisfy { uses[$0] > 0 || buffer.freeFrameRows.contains(Int32($0)) }
}

/// Whether a batch from `buffer` equals one from `reference` bit for bit, drawing from the same seed.
func samplesAgree(_ buffer: ReplayBuffer, _ reference: ReferenceReplay, seed: UInt64, size: Int = 48) -> Bool {
    var random = SeededRNG(seed: seed), referenceRandom = SeededRNG(seed: seed)
    var batch = buffer.makeBatch(size: size)
    buffer.sample(random: &random, into: &batch)
    let expected = reference.sample(random: &referenceRandom, size: size)
    return bits(batch.observations.data) == bits(expected.observations.data)
        && bits(batch.nextObservations.data) == bits(expected.nextObservations.data)
        && bits(batch.actions.data) == bits(expected.actions.data) && bits(batch.rewards) == bits(expected.rewards)
        && bits(batch.terminated) == bits(expected.terminated) && random.next() == referenceRandom.next()
}

@Suite struct ReplayStorageTests {
    @Test func storageFollowsTheObservationDtype() {
        #expect(ObservationStorage(.box(low: [0], high: [255], shape: [1], dtype: .uint8)) == .bytes)
        #expect(ObservationStorage(.box(low: [0], high: [1], shape: [1], dtype: .bool)) == .bytes)
        #expect(ObservationStorage(.box(low: [0], high: [1], shape: [1], dtype: .float32)) == .float)
        #expect(ObservationStorage(.box(low: [0], high: [9], shape: [1], dtype: .int64)) == .float)
        #expect(ObservationStorage(.discrete(n: 4)) == .float)
    }

    /// What the loops check before storing the daemon's observations: a byte buffer takes only
    /// the integers 0…255, a float buffer anything.
    @Test func theLoopsCheckAPeersObservationsBeforeStoringThem() throws {
        let bytes = try ReplayBuffer(capacity: 4, observationSize: 3, storage: .bytes)
        #expect(bytes.accepts([0, 17, 255]))
        for bad: [Float] in [[256, 0, 0], [0, -1, 0], [0, 0, 0.5], [-0.0, 0, 0], [.nan, 0, 0], [.infinity, 0, 0]] {
            #expect(!bytes.accepts(bad), "\(bad)")
        }
        let floats = try ReplayBuffer(capacity: 4, observationSize: 3, storage: .float)
        #expect(floats.accepts([256, -1, .nan]))
    }

    @Test func bytesRoundTripExactly() {
        let all = (0..<256).map { Float($0) }
        var column = ObservationColumn(storage: .bytes, width: 256, rows: 2)
        #expect(all.withUnsafeBufferPointer { column.write(row: 1, $0) })
        #expect(bits(column.row(1)) == bits(all))
        #expect(column.row(0) == Array(repeating: 0, count: 256))
        for bad: Float in [256, -1, 0.5, -0.0, .nan, .infinity] {
            var row = all
            row[7] = bad
            #expect(!row.withUnsafeBufferPointer { column.write(row: 0, $0) }, "\(bad) is not a byte")
        }
        #expect(column.row(0) == Array(repeating: 0, count: 256), "a refused row writes nothing")
        #expect(column.allocatedBytes >= 512 && column.allocatedBytes < 1024)
    }

    @Test(arguments: [(false, 1, 7), (false, 3, 10), (true, 3, 10), (true, 4, 13), (false, 5, 64), (true, 2, 1)])
    func samplesEqualTheReferenceAcrossEpisodeEndsAndWrapAround(bytes: Bool, envs: Int, capacity: Int) throws {
        let width = 6
        var streams = LockstepStreams(seed: 11, envs: envs, width: width, bytes: bytes, lengths: 1...5)
        var buffer = try ReplayBuffer(capacity: capacity, observationSize: width, storage: bytes ? .bytes : .float)
        var reference = ReferenceReplay(capacity: capacity, width: width)
        for step in 0..<(5 * capacity + 3) {
            add(streams.step(), to: &buffer, and: &reference)
            #expect(buffer.count == reference.count)
            #expect(samplesAgree(buffer, reference, seed: UInt64(step)), "after step \(step)")
        }
        for slot in 0..<buffer.count {
            let (observation, next) = buffer.observations(at: slot)
            #expect(bits(observation) == bits(Array(reference.observations[(slot * width)..<((slot + 1) * width)])))
            #expect(bits(next) == bits(Array(reference.nextObservations[(slot * width)..<((slot + 1) * width)])))
        }
        #expect(usesAreConsistent(buffer))
        #expect(buffer.frameRows.rows <= 2 * capacity)
    }

    /// Continuous agents add slices with their environment as the stream; adds out of lockstep
    /// (streams in any order) stay exact.
    @Test func sliceAddsInAnyStreamOrderStayExact() throws {
        let width = 4, envs = 3, capacity = 17
        var streams = LockstepStreams(seed: 5, envs: envs, width: width, bytes: false, lengths: 2...9)
        var order = SeededRNG(seed: 9)
        var buffer = try ReplayBuffer(capacity: capacity, observationSize: width, actionSize: 2)
        var reference = ReferenceReplay(capacity: capacity, width: width, actionSize: 2)
        for step in 0..<60 {
            let t = streams.step()
            var rows = Array(0..<envs)
            if step % 3 == 0 { rows.reverse() }
            if step % 5 == 0 { rows.removeLast() }
            for row in rows {
                let action: [Float] = [Float(t.actions[row]), order.nextUniform()]
                let stream = step % 7 == 0 ? order.nextInt(below: envs) : row
                buffer.add(observation: t.observations[(row * width)..<((row + 1) * width)], action: action[...], reward: Float(t.rewards[row]),
                           nextObservation: t.nextObservations[(row * width)..<((row + 1) * width)], terminated: t.terminated[row], stream: stream)
                reference.add(observation: t.observations[(row * width)..<((row + 1) * width)], action: action[...], reward: Float(t.rewards[row]),
                              nextObservation: t.nextObservations[(row * width)..<((row + 1) * width)], terminated: t.terminated[row])
            }
            #expect(samplesAgree(buffer, reference, seed: UInt64(100 + step)))
        }
    }

    /// A buffer that went through its checkpoint form samples and goes on exactly as the original.
    @Test(arguments: [false, true])
    func checkpointRoundTrip(bytes: Bool) throws {
        let width = 5, capacity = 23
        for steps in [0, 4, 30] {
            var streams = LockstepStreams(seed: 3, envs: 3, width: width, bytes: bytes, lengths: 1...6)
            var buffer = try ReplayBuffer(capacity: capacity, observationSize: width, storage: bytes ? .bytes : .float)
            var reference = ReferenceReplay(capacity: capacity, width: width)
            for _ in 0..<steps { add(streams.step(), to: &buffer, and: &reference) }
            let (saved, tensors) = buffer.saved
            let encoded = try JSONEncoder().encode(saved)
            var restored = try ReplayBuffer(capacity: capacity, observationSize: width, storage: bytes ? .bytes : .float)
            let file = try SafeTensors.decode(SafeTensors.encode(tensors))
            try restored.restore(JSONDecoder().decode(ReplayBuffer.Saved.self, from: encoded), file.tensors)
            #expect(restored.count == buffer.count)
            if steps > 0 { #expect(samplesAgree(restored, reference, seed: 1)) }
            // Both go on the same way: links to pending transitions survive the round trip.
            var original = buffer
            var copyReference = reference
            for step in 0..<20 {
                let t = streams.step()
                add(t, to: &original, and: &reference)
                add(t, to: &restored, and: &copyReference)
                #expect(samplesAgree(restored, reference, seed: UInt64(step)))
            }
            #expect(usesAreConsistent(restored))
        }
    }

    /// The layout before observations were kept once (float `observations` and
    /// `next_observations` rows) still loads, as floats or as bytes.
    @Test(arguments: [false, true])
    func oldLayoutLoads(bytes: Bool) throws {
        let width = 4, capacity = 11
        var streams = LockstepStreams(seed: 8, envs: 2, width: width, bytes: bytes, lengths: 1...4)
        var reference = ReferenceReplay(capacity: capacity, width: width)
        var scratch = try ReplayBuffer(capacity: capacity, observationSize: width)
        for _ in 0..<8 { add(streams.step(), to: &scratch, and: &reference) }
        let rows = reference.count
        let old: [String: Tensor] = [
            "observations": Tensor(shape: [rows, width], data: Array(reference.observations[0..<(rows * width)])),
            "next_observations": Tensor(shape: [rows, width], data: Array(reference.nextObservations[0..<(rows * width)])),
            "actions": Tensor(shape: [rows, 1], data: Array(reference.actions[0..<rows])),
            "rewards": Tensor(shape: [rows], data: Array(reference.rewards[0..<rows])),
            "terminated": Tensor(shape: [rows], data: Array(reference.terminated[0..<rows])),
        ]
        let saved = try JSONDecoder().decode(ReplayBuffer.Saved.self, from: Data("{\"count\": \(rows), \"next\": \(reference.next)}".utf8))
        var buffer = try ReplayBuffer(capacity: capacity, observationSize: width, storage: bytes ? .bytes : .float)
        try buffer.restore(saved, old)
        #expect(samplesAgree(buffer, reference, seed: 4))
        for step in 0..<15 {
            add(streams.step(), to: &buffer, and: &reference)
            #expect(samplesAgree(buffer, reference, seed: UInt64(step)))
        }
        // Old float rows that are not bytes do not load into a byte buffer.
        if !bytes {
            var byteBuffer = try ReplayBuffer(capacity: capacity, observationSize: width, storage: .bytes)
            #expect(throws: (any Error).self) { try byteBuffer.restore(saved, old) }
        }
    }

    /// Everything read from a checkpoint is checked: sizes, counts, frame numbers, packing.
    @Test(arguments: [(false, 1), (true, 1), (true, 3)])
    func hostileCheckpointsAreErrors(bytes: Bool, frames: Int) throws {
        // Ten rows: 40 bytes of frame numbers per observation (one frame), so the last packed float has two bytes of padding.
        let width = 3 * frames, capacity = 10
        let storage: ObservationStorage = bytes ? .bytes : .float
        var streams = LockstepStreams(seed: 2, envs: 2, width: width, bytes: bytes, lengths: 1...3)
        var buffer = try ReplayBuffer(capacity: capacity, observationSize: width, storage: storage, frames: frames)
        var reference = ReferenceReplay(capacity: capacity, width: width)
        for _ in 0..<7 { add(streams.step(), to: &buffer, and: &reference) }
        let (saved, tensors) = buffer.saved
        let framesName = bytes ? "frame_bytes" : "frames"

        func fails(_ edit: (inout ReplayBuffer.Saved, inout [String: Tensor]) -> Void, _ comment: Comment) throws {
            var s = saved, t = tensors
            edit(&s, &t)
            var target = try ReplayBuffer(capacity: capacity, observationSize: width, storage: storage, frames: frames)
            #expect(throws: (any Error).self, comment) { try target.restore(s, t) }
            #expect(target.count == 0, "a refused checkpoint changes nothing")
        }
        // The unedited form loads.
        var target = try ReplayBuffer(capacity: capacity, observationSize: width, storage: storage, frames: frames)
        try target.restore(saved, tensors)
        #expect(samplesAgree(target, reference, seed: 3))

        try fails({ s, _ in s.count = capacity + 1 }, "more rows than the capacity")
        try fails({ s, _ in s.count = Int.max }, "an absurd count")
        try fails({ s, _ in s.count = -1 }, "a negative count")
        try fails({ s, _ in s.next = capacity }, "the position out of range")
        try fails({ s, _ in s.added = (s.added ?? 0) + 1 }, "serials that disagree with the position")
        try fails({ s, _ in s.added = Int.max }, "an absurd serial")
        try fails({ s, _ in s.added = nil }, "no serials")
        try fails({ s, _ in s.layout = 3 }, "an unknown layout")
        try fails({ s, _ in s.storage = bytes ? .float : .bytes }, "the other storage")
        try fails({ s, _ in s.frames = frames + 1 }, "another frame count")
        try fails({ s, _ in s.newestInStream = [Int.max] }, "a stream serial in the future")
        try fails({ s, _ in s.newestInStream = Array(repeating: -1, count: ReplayBuffer.maxStreams + 1) }, "too many streams")
        try fails({ s, _ in s.frameRows = (s.frameRows ?? 0) + 1 }, "more frames than the tensor")
        try fails({ s, _ in s.frameRows = Int.max }, "an absurd number of frames")
        try fails({ _, t in t.removeValue(forKey: "observation_frames") }, "no frame numbers")
        try fails({ _, t in t["extra"] = Tensor.zeros([1]) }, "a stray tensor")
        try fails({ _, t in t["rewards"] = Tensor.zeros([7]) }, "truncated rewards")
        try fails({ _, t in t["next_observation_frames"] = Tensor.zeros([2]) }, "truncated frame numbers")
        try fails({ _, t in t[framesName] = Tensor.zeros([0]) }, "truncated frames")
        try fails({ _, t in
            var numbers = t["observation_frames"]!
            numbers.data[0] = 0.5
            t["observation_frames"] = numbers
        }, "frame numbers that are not packed bytes")
        try fails({ _, t in
            var numbers = t["observation_frames"]!
            numbers.data[0] = .nan
            t["observation_frames"] = numbers
        }, "a NaN in packed bytes")
        if frames == 1 {
            try fails({ _, t in
                var numbers = t["observation_frames"]!
                numbers.data[numbers.data.count - 1] += 256
                t["observation_frames"] = numbers
            }, "nonzero padding")
        }
        let references = saved.count * frames, pool = Int32(saved.frameRows ?? 0)
        for (values, comment) in [(Array(repeating: pool, count: references), "numbers past the frames"),
                                  (Array(repeating: -1, count: references), "negative numbers"),
                                  (Array(repeating: Int32.min, count: references), "numbers far out of range"),
                                  (Array(repeating: 0, count: references), "frames no observation uses")] {
            try fails({ _, t in
                t["observation_frames"] = PackedBytes.tensor(integers: values)
                t["next_observation_frames"] = PackedBytes.tensor(integers: values)
            }, Comment(rawValue: comment))
        }
        if bytes {
            try fails({ _, t in
                var frameBytes = t[framesName]!
                frameBytes.data[0] = 16_777_216
                t[framesName] = frameBytes
            }, "a packed value past 24 bits")
        }
        // A truncated file is an error before any part sees it.
        let file = try SafeTensors.encode(tensors)
        #expect(throws: (any Error).self) { try SafeTensors.decode(Array(file.dropLast(5))) }
    }

    /// `--buffer-size`: a size whose storage overflows, or at least 2³⁰, is an error, not a trap.
    @Test func bufferSizesThatCannotBeStoredAreErrors() throws {
        #expect(throws: AgentError.self) { try ReplayBuffer(capacity: 1 << 30, observationSize: 4) }
        #expect(throws: AgentError.self) { try ReplayBuffer(capacity: 0, observationSize: 4) }
        #expect(throws: AgentError.self) { try ReplayBuffer(capacity: (1 << 30) - 1, observationSize: Int.max / 2) }
        #expect(ReplayBuffer.problem(capacity: (1 << 30) - 1, observationSize: 1 << 33, storage: .float) != nil)
        #expect(ReplayBuffer.problem(capacity: (1 << 30) - 1, observationSize: 28_224, storage: .bytes) == nil)
        var dqn = DQN.Arguments()
        dqn.bufferSize = 1 << 30
        #expect(dqn.problem?.contains("--buffer-size") == true)
        var offPolicy = OffPolicyArguments()
        offPolicy.bufferSize = 1 << 40
        #expect(offPolicy.problem?.contains("--buffer-size") == true)
    }

    @Test func frameStacksAreFoundInChannelsFirstImages() {
        #expect(ReplayBuffer.stackedFrames(.box(low: [0], high: [255], shape: [4, 84, 84], dtype: .uint8)) == 4)
        #expect(ReplayBuffer.stackedFrames(.box(low: [0], high: [1], shape: [10, 10, 4], dtype: .bool)) == 1)
        #expect(ReplayBuffer.stackedFrames(.box(low: [0], high: [255], shape: [84, 84, 4], dtype: .uint8)) == 1)
        #expect(ReplayBuffer.stackedFrames(.box(low: [0], high: [255], shape: [1, 84, 84], dtype: .uint8)) == 1)
        #expect(ReplayBuffer.stackedFrames(.box(low: [0], high: [1], shape: [4], dtype: .float32)) == 1)
    }

    /// Stacks rebuilt from single frames equal the full stacks, reset padding included, across
    /// episode ends and wrap-around, with several environments; stacks that do not shift fall
    /// back to frames of their own and stay exact.
    @Test(arguments: [(true, 1, 9, false), (true, 3, 20, false), (false, 4, 23, false), (true, 3, 20, true), (false, 2, 5, true)])
    func frameStacksEqualTheFullStacks(bytes: Bool, envs: Int, capacity: Int, glitches: Bool) throws {
        let frames = 4, frameWidth = 3
        var streams = FrameStackStreams(seed: 21, envs: envs, frames: frames, frameWidth: frameWidth, bytes: bytes, glitches: glitches,
                                        lengths: 1...9)
        var buffer = try ReplayBuffer(capacity: capacity, observationSize: frames * frameWidth, storage: bytes ? .bytes : .float, frames: frames)
        var reference = ReferenceReplay(capacity: capacity, width: frames * frameWidth)
        for step in 0..<(4 * capacity + 5) {
            add(streams.step(), to: &buffer, and: &reference)
            #expect(samplesAgree(buffer, reference, seed: UInt64(step)), "after step \(step)")
        }
        let width = frames * frameWidth
        for slot in 0..<buffer.count {
            let (observation, next) = buffer.observations(at: slot)
            #expect(bits(observation) == bits(Array(reference.observations[(slot * width)..<((slot + 1) * width)])))
            #expect(bits(next) == bits(Array(reference.nextObservations[(slot * width)..<((slot + 1) * width)])))
        }
        #expect(usesAreConsistent(buffer))
        // Frames are shared: far fewer rows than the four a stack would take per observation.
        if !glitches { #expect(buffer.frameRows.rows <= 2 * capacity + frames * envs) }
        // And they survive a checkpoint.
        let (saved, tensors) = buffer.saved
        var restored = try ReplayBuffer(capacity: capacity, observationSize: width, storage: bytes ? .bytes : .float, frames: frames)
        try restored.restore(saved, SafeTensors.decode(SafeTensors.encode(tensors)).tensors)
        var copyReference = reference
        for step in 0..<10 {
            let t = streams.step()
            add(t, to: &buffer, and: &reference)
            add(t, to: &restored, and: &copyReference)
            #expect(samplesAgree(restored, reference, seed: UInt64(step)))
        }
        #expect(usesAreConsistent(restored))
    }

    /// Bytes per transition, amortised over a full ring of long episodes.
    @Test func minAtarTransitionsTakeUnder500Bytes() throws {
        let width = 10 * 10 * 4, capacity = 4000, envs = 4
        var streams = LockstepStreams(seed: 1, envs: envs, width: width, bytes: true, lengths: 500...1500)
        var buffer = try ReplayBuffer(capacity: capacity, observationSize: width,
                                      storage: ObservationStorage(.box(low: [0], high: [1], shape: [10, 10, 4], dtype: .bool)))
        for _ in 0..<(capacity / envs + 100) {
            let t = streams.step()
            for row in 0..<envs { buffer.add(t, row: row, reward: Float(t.rewards[row])) }
        }
        let perTransition = Double(buffer.allocatedBytes) / Double(capacity)
        let old = ReferenceReplay(capacity: 1, width: width).bytesPerTransition
        print("MinAtar (10,10,4) bool: \(old) B → \(Int(perTransition.rounded())) B per transition")
        #expect(old == 3212)
        #expect(perTransition <= 500)
    }

    @Test func atariTransitionsTakeUnder7200Bytes() throws {
        let space = Space.box(low: [0], high: [255], shape: [4, 84, 84], dtype: .uint8)
        let frames = ReplayBuffer.stackedFrames(space), capacity = 2000, envs = 2
        var streams = FrameStackStreams(seed: 4, envs: envs, frames: frames, frameWidth: 84 * 84, bytes: true, lengths: 800...1200)
        var buffer = try ReplayBuffer(capacity: capacity, observationSize: 4 * 84 * 84, storage: ObservationStorage(space), frames: frames)
        for _ in 0..<(capacity / envs + 50) {
            let t = streams.step()
            for row in 0..<envs { buffer.add(t, row: row, reward: Float(t.rewards[row])) }
        }
        let perTransition = Double(buffer.allocatedBytes) / Double(capacity)
        let old = ReferenceReplay(capacity: 1, width: 4 * 84 * 84).bytesPerTransition
        print("Atari (4,84,84) uint8: \(old) B → \(Int(perTransition.rounded())) B per transition; "
              + "1M transitions ≈ \(String(format: "%.2f", perTransition * 1e6 / Double(1 << 30))) GiB")
        #expect(old == 225_804)
        #expect(perTransition <= 7200)
    }
}
