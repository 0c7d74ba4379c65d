import NeuralNet

/// A fixed-capacity ring of transitions, overwriting the oldest when full, sampled uniformly
/// with replacement from a seeded stream. Stored as flat arrays: no per-transition objects.
///
/// Memory: observations are kept once. Slot `i` holds its observation; its next observation
/// is, as a rule, the observation of the slot its environment's next transition went to, and
/// only otherwise a row of its own in a side pool. The loops step N environments in lockstep
/// and add row by row in environment order, so a transition's successor in its stream
/// (`stream` = the environment's index) lands N slots later, and the side pool holds just the
/// N newest next observations plus one per episode end still in the ring (same-step autoreset:
/// the next stored observation there is the reset one, not the final one). The link is made
/// only when the successor's observation equals the stored next observation bit for bit, so
/// any other order of adds stays exact, just less compact. `uint8` and `bool` Box observations
/// are kept as bytes (`ObservationStorage`).
///
/// Sampling draws the same indices as a buffer that stores every `(s, s')` pair and returns
/// the same floats, bit for bit.
public struct ReplayBuffer: Sendable {
    /// Most transitions a buffer may hold (slot links are 32-bit, and larger rings are mistakes).
    public static let maxCapacity = 1 << 30

    /// Most transitions held.
    public let capacity: Int
    /// Floats per observation.
    public let observationSize: Int
    /// Floats per action (1 for a discrete index).
    public let actionSize: Int
    /// How observation values are kept.
    public let storage: ObservationStorage
    /// Transitions held now.
    public internal(set) var count = 0
    /// The slot the next transition goes to.
    var next = 0
    /// Transitions ever added (the serial number of the next one); slot = serial % capacity.
    var added = 0
    /// Each slot's observation.
    var observations: ObservationColumn
    /// Next observations not found in the ring: the newest of each stream, and episode ends.
    var spareRows: ObservationColumn
    /// Spare rows no slot uses.
    var freeSpareRows: [Int32] = []
    /// Where each slot's next observation is: a slot (≥ 0) of `observations`, or spare row `−1 − link`.
    var nextLinks: [Int32]
    /// The serial of each stream's newest transition, or −1.
    var newestInStream: [Int] = []
    var actions: [Float]
    var rewards: [Float]
    var terminated: [Float]

    /// Why a buffer of `capacity` observations of `observationSize` values cannot be made, or nil.
    public static func problem(capacity: Int, observationSize: Int, actionSize: Int = 1,
                               storage: ObservationStorage = .float) -> String? {
        guard capacity > 0 else { return "--buffer-size must be positive" }
        guard capacity < maxCapacity else { return "--buffer-size \(capacity) is too large (at most \(maxCapacity - 1) transitions)" }
        guard observationSize >= 0, actionSize >= 0 else { return "negative replay row sizes" }
        let (values, overflow) = capacity.multipliedReportingOverflow(by: observationSize)
        let (bytes, overflowBytes) = values.multipliedReportingOverflow(by: storage.bytesPerValue)
        let (actionValues, overflowActions) = capacity.multipliedReportingOverflow(by: actionSize)
        guard !overflow, !overflowBytes, !overflowActions, actionValues <= Int.max / 4 else {
            return "--buffer-size \(capacity) with observations of \(observationSize) values overflows the replay storage's size"
        }
        _ = bytes
        return nil
    }

    /// An empty buffer, or an error when its storage size overflows or `capacity` is out of range.
    public init(capacity: Int, observationSize: Int, actionSize: Int = 1, storage: ObservationStorage = .float) throws(AgentError) {
        if let problem = Self.problem(capacity: capacity, observationSize: observationSize, actionSize: actionSize, storage: storage) {
            throw AgentError(.invalidArgument, problem)
        }
        self.capacity = capacity
        self.observationSize = observationSize
        self.actionSize = actionSize
        self.storage = storage
        observations = ObservationColumn(storage: storage, width: observationSize, rows: capacity)
        spareRows = ObservationColumn(storage: storage, width: observationSize, rows: 0)
        nextLinks = Array(repeating: 0, count: capacity)
        actions = Array(repeating: 0, count: capacity * actionSize)
        rewards = Array(repeating: 0, count: capacity)
        terminated = Array(repeating: 0, count: capacity)
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

    /// Stores the observations of the transition going into slot `next`, links the stream's
    /// previous transition to it when its next observation is this observation, and advances.
    private mutating func store(observation: UnsafeBufferPointer<Float>, nextObservation: UnsafeBufferPointer<Float>, stream: Int) {
        precondition(stream >= 0, "replay streams are environment indices")
        precondition(ObservationColumn.fits(observation, storage: storage) && ObservationColumn.fits(nextObservation, storage: storage),
                     "an observation value is not a byte, but the replay buffer keeps this space's observations as bytes")
        let slot = next
        // The transition leaving this slot is the oldest: no live slot links to it, and its spare row is free.
        if added >= capacity { releaseSpare(of: slot) }
        observations.write(row: slot, observation)
        if stream < newestInStream.count, newestInStream[stream] >= 0, added - newestInStream[stream] < capacity {
            let previous = newestInStream[stream] % capacity
            let link = nextLinks[previous]
            if link < 0, spareRows.same(row: Int(-1 - link), as: observations, row: slot) {
                releaseSpare(of: previous)
                nextLinks[previous] = Int32(slot)
            }
        }
        let spare = takeSpareRow()
        spareRows.write(row: spare, nextObservation)
        nextLinks[slot] = Int32(-1 - spare)
        if stream >= newestInStream.count { newestInStream += repeatElement(-1, count: stream + 1 - newestInStream.count) }
        newestInStream[stream] = added
        added += 1
        next = (next + 1) % capacity
        count = min(count + 1, capacity)
    }

    private mutating func releaseSpare(of slot: Int) {
        let link = nextLinks[slot]
        if link < 0 { freeSpareRows.append(-1 - link) }
        nextLinks[slot] = 0
    }

    private mutating func takeSpareRow() -> Int {
        if let row = freeSpareRows.popLast() { return Int(row) }
        return spareRows.appendRow()
    }

    /// The next observation of slot `index`.
    private func readNext(_ index: Int, into target: UnsafeMutablePointer<Float>) {
        let link = nextLinks[index]
        if link >= 0 { observations.read(row: Int(link), into: target) } else { spareRows.read(row: Int(-1 - link), into: target) }
    }

    /// Slot `index`'s observation and next observation as floats (tests and tools).
    public func observations(at index: Int) -> (observation: [Float], next: [Float]) {
        precondition(index >= 0 && index < count, "slot \(index) is not filled")
        var nextObservation = [Float](repeating: 0, count: observationSize)
        nextObservation.withUnsafeMutableBufferPointer { if let base = $0.baseAddress { readNext(index, into: base) } }
        return (observations.row(index), nextObservation)
    }

    /// Bytes the buffer has allocated for its rows (observations, spare rows, links, actions, rewards, flags).
    public var allocatedBytes: Int {
        observations.allocatedBytes + spareRows.allocatedBytes + freeSpareRows.capacity * 4 + nextLinks.capacity * 4
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
            batch.observations.data.withUnsafeMutableBufferPointer { if let base = $0.baseAddress { observations.read(row: index, into: base + row * width) } }
            batch.nextObservations.data.withUnsafeMutableBufferPointer { if let base = $0.baseAddress { readNext(index, into: base + row * width) } }
            for k in 0..<actionSize { batch.actions.data[row * actionSize + k] = actions[index * actionSize + k] }
            batch.rewards[row] = rewards[index]
            batch.terminated[row] = terminated[index]
        }
    }
}
