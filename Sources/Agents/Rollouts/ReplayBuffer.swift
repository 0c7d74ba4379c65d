import GymCore
import NeuralNet

/// A fixed-capacity ring of transitions, overwriting the oldest when full, sampled uniformly
/// with replacement from a seeded stream. Stored as flat arrays: no per-transition objects.
///
/// Memory: every observation (`s` and `s'` of each slot) is a list of `frames` references into
/// one pool of frame rows, each frame stored once and counted by the observations that use it.
/// An observation is split into `frames` equal parts along its leading axis: for a frame stack
/// (Atari's `(4, 84, 84)` from `FrameStackObservation`) a part is one frame, otherwise
/// (`frames` = 1) the whole observation. A new observation shares rows with the one its stream
/// (its environment) had just before, when they hold the same values bit for bit:
/// - `s` of a transition is, as a rule, `s'` of the stream's previous transition: shared whole;
/// - `s'` is `s` shifted by one frame: the first `frames − 1` parts shared, one new frame;
/// - a frame equal to the frame before it in the same observation (Gymnasium's reset padding
///   repeats the reset frame) shares that frame's row.
/// Anything else gets rows of its own, so exactness never depends on the pattern holding: an
/// episode end under same-step autoreset (the next `s` is the reset one, not `s'`), adds out of
/// lockstep, a stack that does not shift. The loops step N environments in lockstep and add
/// row by row in environment order with the environment's index as the stream, so a stream's
/// previous transition is N slots back and still in the ring. `uint8` and `bool` Box
/// observations are kept as bytes (`ObservationStorage`).
///
/// Sampling draws the same indices as a buffer that stores every `(s, s')` pair as floats and
/// returns the same floats, bit for bit.
public struct ReplayBuffer: Sendable {
    /// Most transitions a buffer may hold (frame references are 32-bit, and larger rings are mistakes).
    public static let maxCapacity = 1 << 30

    /// Most transitions held.
    public let capacity: Int
    /// Floats per observation.
    public let observationSize: Int
    /// Floats per action (1 for a discrete index).
    public let actionSize: Int
    /// How observation values are kept.
    public let storage: ObservationStorage
    /// Parts (frames) an observation is split into; 1 keeps observations whole.
    public let frames: Int
    /// Transitions held now.
    public internal(set) var count = 0
    /// The slot the next transition goes to.
    var next = 0
    /// Transitions ever added (the serial number of the next one); slot = serial % capacity.
    var added = 0
    /// The frame pool: rows of `observationSize / frames` values.
    var frameRows: ObservationColumn
    /// How many observation parts use each frame row (0: free).
    var frameUses: [Int32] = []
    /// Frame rows no observation uses.
    var freeFrameRows: [Int32] = []
    /// Each slot's observation, `frames` frame rows per slot.
    var observationFrames: [Int32]
    /// Each slot's next observation, likewise.
    var nextObservationFrames: [Int32]
    /// The serial of each stream's newest transition, or −1.
    var newestInStream: [Int] = []
    var actions: [Float]
    var rewards: [Float]
    var terminated: [Float]

    /// Frames in a stack observation of `space`: the leading extent of a rank-3 Box whose first
    /// axis is the shortest (channels first, as `FrameStackObservation` over `AtariPreprocessing`
    /// gives `(4, 84, 84)`), else 1. A leading axis that is not a frame stack costs only some
    /// references: frames are shared only where they match.
    public static func stackedFrames(_ space: Space) -> Int {
        guard case .box(_, _, let dims, _) = space, dims.count == 3, dims[0] >= 2, dims[0] < dims[1], dims[0] < dims[2] else { return 1 }
        return dims[0]
    }

    /// Why a buffer of `capacity` observations of `observationSize` values cannot be made, or nil.
    public static func problem(capacity: Int, observationSize: Int, actionSize: Int = 1,
                               storage: ObservationStorage = .float, frames: Int = 1) -> String? {
        guard capacity > 0 else { return "--buffer-size must be positive" }
        guard capacity < maxCapacity else { return "--buffer-size \(capacity) is too large (at most \(maxCapacity - 1) transitions)" }
        guard observationSize >= 0, actionSize >= 0, frames >= 1, frames <= 64 else { return "replay row sizes out of range" }
        // The pool may need up to two observations' frames per slot.
        let (values, overflow) = capacity.multipliedReportingOverflow(by: observationSize)
        let (pool, overflowPool) = values.multipliedReportingOverflow(by: 2 * storage.bytesPerValue)
        let (references, overflowReferences) = capacity.multipliedReportingOverflow(by: 2 * frames)
        let (actionValues, overflowActions) = capacity.multipliedReportingOverflow(by: actionSize)
        guard !overflow, !overflowPool, !overflowReferences, !overflowActions, actionValues <= Int.max / 4, references < Int(Int32.max) else {
            return "--buffer-size \(capacity) with observations of \(observationSize) values overflows the replay storage's size"
        }
        _ = pool
        return nil
    }

    /// An empty buffer, or an error when its storage size overflows or `capacity` is out of range.
    /// `frames` splits observations into that many parts (1 when it does not divide `observationSize`).
    public init(capacity: Int, observationSize: Int, actionSize: Int = 1, storage: ObservationStorage = .float,
                frames: Int = 1) throws(AgentError) {
        if let problem = Self.problem(capacity: capacity, observationSize: observationSize, actionSize: actionSize,
                                      storage: storage, frames: frames) {
            throw AgentError(.invalidArgument, problem)
        }
        self.capacity = capacity
        self.observationSize = observationSize
        self.actionSize = actionSize
        self.storage = storage
        self.frames = observationSize > 0 && observationSize % frames == 0 ? frames : 1
        frameRows = ObservationColumn(storage: storage, width: observationSize / self.frames, rows: 0)
        // About one new frame per transition, plus a stack's older frames at the ring's end.
        frameRows.reserve(rows: capacity + self.frames)
        frameUses.reserveCapacity(capacity + self.frames)
        observationFrames = Array(repeating: 0, count: capacity * self.frames)
        nextObservationFrames = Array(repeating: 0, count: capacity * self.frames)
        actions = Array(repeating: 0, count: capacity * actionSize)
        rewards = Array(repeating: 0, count: capacity)
        terminated = Array(repeating: 0, count: capacity)
    }

    /// Whether every value of `observations` can be stored exactly (always, for float storage;
    /// byte storage takes only the integers 0…255). Observations come from the daemon, a peer:
    /// the loops check them with this and throw before `add`, whose check is a precondition.
    public func accepts(_ observations: [Float]) -> Bool {
        observations.withUnsafeBufferPointer { ObservationColumn.fits($0, storage: storage) }
    }

    /// Stores row `row` of a batch of transitions, with `reward` (after any clipping or shaping);
    /// the row is the environment's index, its stream.
    public mutating func add(_ transitions: Transitions, row: Int, reward: Float) {
        let size = observationSize
        precondition(transitions.observations.count >= (row + 1) * size && transitions.nextObservations.count >= (row + 1) * size,
                     "transition row \(row) is not in the batch")
        actions[next * actionSize] = Float(transitions.actions[row])
        rewards[next] = reward
        terminated[next] = transitions.terminated[row] ? 1 : 0
        transitions.observations.withUnsafeBufferPointer { observations in
            transitions.nextObservations.withUnsafeBufferPointer { nextObservations in
                store(observation: UnsafeBufferPointer(rebasing: observations[(row * size)..<((row + 1) * size)]),
                      nextObservation: UnsafeBufferPointer(rebasing: nextObservations[(row * size)..<((row + 1) * size)]), stream: row)
            }
        }
    }

    /// Stores one transition given as slices, of environment `stream` (continuous agents store
    /// normalised observations and actions in `[−1, 1]` units, `actionSize` floats each).
    public mutating func add(observation: ArraySlice<Float>, action: ArraySlice<Float>, reward: Float,
                             nextObservation: ArraySlice<Float>, terminated: Bool, stream: Int = 0) {
        precondition(observation.count == observationSize && nextObservation.count == observationSize && action.count == actionSize,
                     "transition sizes do not fit the buffer")
        actions.replaceSubrange((next * actionSize)..<((next + 1) * actionSize), with: action)
        rewards[next] = reward
        self.terminated[next] = terminated ? 1 : 0
        observation.withUnsafeBufferPointer { observation in
            nextObservation.withUnsafeBufferPointer { nextObservation in
                store(observation: observation, nextObservation: nextObservation, stream: stream)
            }
        }
    }

    /// Stores the observations of the transition going into slot `next`, sharing frames with
    /// its stream's previous transition where they match, and advances.
    private mutating func store(observation: UnsafeBufferPointer<Float>, nextObservation: UnsafeBufferPointer<Float>, stream: Int) {
        precondition(stream >= 0 && stream < Self.maxStreams, "replay streams are environment indices")
        precondition(ObservationColumn.fits(observation, storage: storage) && ObservationColumn.fits(nextObservation, storage: storage),
                     "an observation value is not a byte, but the replay buffer keeps this space's observations as bytes")
        let slot = next, k = frames
        // The transition leaving this slot is the oldest; its frames lose a use.
        if added >= capacity {
            for j in 0..<k {
                release(observationFrames[slot * k + j])
                release(nextObservationFrames[slot * k + j])
            }
        }
        var previous: [Int32]? = nil
        if stream < newestInStream.count, newestInStream[stream] >= 0, added - newestInStream[stream] < capacity {
            let p = newestInStream[stream] % capacity
            previous = Array(nextObservationFrames[(p * k)..<((p + 1) * k)])
        }
        let current = frameRows(for: observation, after: previous)
        let following = frameRows(for: nextObservation, after: current)
        for j in 0..<k {
            observationFrames[slot * k + j] = current[j]
            nextObservationFrames[slot * k + j] = following[j]
        }
        if stream >= newestInStream.count { newestInStream += repeatElement(-1, count: stream + 1 - newestInStream.count) }
        newestInStream[stream] = added
        added += 1
        next = (next + 1) % capacity
        count = min(count + 1, capacity)
    }

    /// The frame rows (one use each taken) holding `values` (known to fit the storage): `before`'s rows when they match
    /// whole, else its rows shifted by one frame where those match, else rows of the frame just
    /// before in `values` where equal, else new rows.
    mutating func frameRows(for values: UnsafeBufferPointer<Float>, after before: [Int32]?) -> [Int32] {
        let k = frames, width = frameRows.width
        func part(_ j: Int) -> UnsafeBufferPointer<Float> { UnsafeBufferPointer(rebasing: values[(j * width)..<((j + 1) * width)]) }
        var rows = [Int32](repeating: -1, count: k)
        if let before {
            if (0..<k).allSatisfy({ frameRows.same(row: Int(before[$0]), as: part($0)) }) {
                rows = before
            } else if k > 1, (0..<(k - 1)).allSatisfy({ frameRows.same(row: Int(before[$0 + 1]), as: part($0)) }) {
                for j in 0..<(k - 1) { rows[j] = before[j + 1] }
            }
        }
        for j in 0..<k where rows[j] < 0 {
            if j > 0, frameRows.same(row: Int(rows[j - 1]), as: part(j)) {
                rows[j] = rows[j - 1]
            } else {
                let row = takeFrameRow()
                // Callers have checked that `values` fit the storage.
                frameRows.write(row: Int(row), part(j), checked: false)
                rows[j] = row
                frameUses[Int(row)] = 0
            }
        }
        for row in rows { frameUses[Int(row)] += 1 }
        return rows
    }

    private mutating func release(_ row: Int32) {
        frameUses[Int(row)] -= 1
        if frameUses[Int(row)] == 0 { freeFrameRows.append(row) }
    }

    private mutating func takeFrameRow() -> Int32 {
        if let row = freeFrameRows.popLast() { return row }
        let row = frameRows.appendRow()
        frameUses.append(0)
        return Int32(row)
    }

    /// Writes the observation whose frame rows start at `references[offset]` to `target`.
    private func read(_ references: [Int32], at offset: Int, into target: UnsafeMutablePointer<Float>) {
        let width = frameRows.width
        for j in 0..<frames { frameRows.read(row: Int(references[offset + j]), into: target + j * width) }
    }

    /// Slot `index`'s observation and next observation as floats (tests and tools).
    public func observations(at index: Int) -> (observation: [Float], next: [Float]) {
        precondition(index >= 0 && index < count, "slot \(index) is not filled")
        var observation = [Float](repeating: 0, count: observationSize), nextObservation = observation
        observation.withUnsafeMutableBufferPointer { if let base = $0.baseAddress { read(observationFrames, at: index * frames, into: base) } }
        nextObservation.withUnsafeMutableBufferPointer { if let base = $0.baseAddress { read(nextObservationFrames, at: index * frames, into: base) } }
        return (observation, nextObservation)
    }

    /// Bytes the buffer has allocated for its rows (frames, their counts and references, actions, rewards, flags).
    public var allocatedBytes: Int {
        frameRows.allocatedBytes + (frameUses.capacity + freeFrameRows.capacity + observationFrames.capacity + nextObservationFrames.capacity) * 4
            + newestInStream.capacity * 8 + (actions.capacity + rewards.capacity + terminated.capacity) * 4
    }

    /// An empty batch of `size` transitions to sample into.
    public func makeBatch(size: Int) -> ReplayBatch {
        ReplayBatch(observations: .zeros([size, observationSize]), actions: .zeros([size, actionSize]),
                    rewards: Array(repeating: 0, count: size), nextObservations: .zeros([size, observationSize]),
                    terminated: Array(repeating: 0, count: size))
    }

    /// Fills `batch` with transitions drawn uniformly (the batch is reused, so sampling allocates nothing).
    public func sample(random: inout SeededRNG, into batch: inout ReplayBatch) {
        precondition(count > 0, "sampling an empty replay buffer")
        let width = observationSize
        for row in 0..<batch.size {
            let index = random.nextInt(below: count)
            batch.observations.data.withUnsafeMutableBufferPointer {
                if let base = $0.baseAddress { read(observationFrames, at: index * frames, into: base + row * width) }
            }
            batch.nextObservations.data.withUnsafeMutableBufferPointer {
                if let base = $0.baseAddress { read(nextObservationFrames, at: index * frames, into: base + row * width) }
            }
            for k in 0..<actionSize { batch.actions.data[row * actionSize + k] = actions[index * actionSize + k] }
            batch.rewards[row] = rewards[index]
            batch.terminated[row] = terminated[index]
        }
    }
}
