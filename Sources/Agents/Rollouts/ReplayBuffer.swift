import NeuralNet

/// A fixed-capacity ring of transitions, overwriting the oldest when full, sampled uniformly
/// with replacement from a seeded stream. Stored as flat float arrays: no per-transition objects.
public struct ReplayBuffer: Sendable {
    /// Most transitions held.
    public let capacity: Int
    /// Floats per observation.
    public let observationSize: Int
    /// Floats per action (1 for a discrete index).
    public let actionSize: Int
    /// Transitions held now.
    public private(set) var count = 0
    private var next = 0
    private var observations: [Float]
    private var nextObservations: [Float]
    private var actions: [Float]
    private var rewards: [Float]
    private var terminated: [Float]

    /// An empty buffer.
    public init(capacity: Int, observationSize: Int, actionSize: Int = 1) {
        precondition(capacity > 0, "replay capacity must be positive")
        self.capacity = capacity
        self.observationSize = observationSize
        self.actionSize = actionSize
        observations = Array(repeating: 0, count: capacity * observationSize)
        nextObservations = Array(repeating: 0, count: capacity * observationSize)
        actions = Array(repeating: 0, count: capacity * actionSize)
        rewards = Array(repeating: 0, count: capacity)
        terminated = Array(repeating: 0, count: capacity)
    }

    /// Stores row `row` of a batch of transitions, with `reward` (after any clipping or shaping).
    public mutating func add(_ transitions: Transitions, row: Int, reward: Float) {
        let size = observationSize
        let source = (row * size)..<((row + 1) * size)
        let target = (next * size)..<((next + 1) * size)
        observations.replaceSubrange(target, with: transitions.observations[source])
        nextObservations.replaceSubrange(target, with: transitions.nextObservations[source])
        actions[next * actionSize] = Float(transitions.actions[row])
        rewards[next] = reward
        terminated[next] = transitions.terminated[row] ? 1 : 0
        next = (next + 1) % capacity
        count = min(count + 1, capacity)
    }

    /// Stores one transition given as slices (continuous agents store normalised observations and
    /// actions in `[−1, 1]` units, `actionSize` floats each).
    public mutating func add(observation: ArraySlice<Float>, action: ArraySlice<Float>, reward: Float,
                             nextObservation: ArraySlice<Float>, terminated: Bool) {
        precondition(observation.count == observationSize && nextObservation.count == observationSize && action.count == actionSize,
                     "transition sizes do not fit the buffer")
        let size = observationSize
        observations.replaceSubrange((next * size)..<((next + 1) * size), with: observation)
        nextObservations.replaceSubrange((next * size)..<((next + 1) * size), with: nextObservation)
        actions.replaceSubrange((next * actionSize)..<((next + 1) * actionSize), with: action)
        rewards[next] = reward
        self.terminated[next] = terminated ? 1 : 0
        next = (next + 1) % capacity
        count = min(count + 1, capacity)
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
            for k in 0..<width {
                batch.observations.data[row * width + k] = observations[index * width + k]
                batch.nextObservations.data[row * width + k] = nextObservations[index * width + k]
            }
            for k in 0..<actionSize { batch.actions.data[row * actionSize + k] = actions[index * actionSize + k] }
            batch.rewards[row] = rewards[index]
            batch.terminated[row] = terminated[index]
        }
    }

    /// What a checkpoint keeps of the buffer: the ring's position and count as values, the
    /// filled rows as tensors.
    struct Saved: Codable { var count: Int; var next: Int }

    /// The buffer as a checkpoint part.
    var saved: (Saved, [String: Tensor]) {
        let rows = count, obs = observationSize, act = actionSize
        return (Saved(count: count, next: next), [
            "observations": Tensor(shape: [rows, obs], data: Array(observations[0..<(rows * obs)])),
            "next_observations": Tensor(shape: [rows, obs], data: Array(nextObservations[0..<(rows * obs)])),
            "actions": Tensor(shape: [rows, act], data: Array(actions[0..<(rows * act)])),
            "rewards": Tensor(shape: [rows], data: Array(rewards[0..<rows])),
            "terminated": Tensor(shape: [rows], data: Array(terminated[0..<rows])),
        ])
    }

    /// Refills the buffer from a checkpoint part, checking every size against this buffer's.
    mutating func restore(_ saved: Saved, _ tensors: [String: Tensor]) throws {
        let rows = saved.count, obs = observationSize, act = actionSize
        guard rows >= 0, rows <= capacity, saved.next >= 0, saved.next < capacity, rows == capacity || saved.next == rows % capacity else {
            throw RunStateError("has a replay buffer of \(rows) rows at \(saved.next); this one holds \(capacity)")
        }
        let shapes = ["observations": [rows, obs], "next_observations": [rows, obs], "actions": [rows, act], "rewards": [rows], "terminated": [rows]]
        for (name, shape) in shapes where tensors[name]?.shape != shape {
            throw RunStateError("has replay \(name) of shape \(tensors[name]?.shape ?? []), not \(shape)")
        }
        guard tensors.count == shapes.count else { throw RunStateError("has replay tensors this buffer does not have") }
        observations.replaceSubrange(0..<(rows * obs), with: tensors["observations"]!.data)
        nextObservations.replaceSubrange(0..<(rows * obs), with: tensors["next_observations"]!.data)
        actions.replaceSubrange(0..<(rows * act), with: tensors["actions"]!.data)
        rewards.replaceSubrange(0..<rows, with: tensors["rewards"]!.data)
        terminated.replaceSubrange(0..<rows, with: tensors["terminated"]!.data)
        count = rows
        next = saved.next
    }
}
