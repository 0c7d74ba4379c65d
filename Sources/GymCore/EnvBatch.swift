
/// `count` copies of one environment stepped together, with the registry's time limit and an
/// explicit autoreset mode applied here rather than in each environment.
///
/// Owns its output buffers and reuses them every step, so stepping allocates nothing.
/// Not thread-safe: the daemon keeps each batch on one worker thread.
public final class EnvBatch {
    /// The environment's registry entry.
    public let spec: EnvSpec
    /// Number of environments.
    public let count: Int
    /// How ended episodes restart.
    public let autoreset: AutoresetMode
    /// Truncation limit in steps, nil for none.
    public let maxEpisodeSteps: Int?

    private let envs: [Environment]
    /// The observation space's leaves, in the order each row of `observations` holds them.
    public let observationLeaves: [Space]
    private let actionLeaves: [Space]
    /// Bytes of one environment's observation: the stride of `observations`.
    public let observationBytes: Int
    private let actionBytes: Int
    private var elapsed: [Int]
    private var needsReset: [Bool]
    private var hasReset = false
    private var pendingSeeds: [UInt64]?
    private var actionScratch: [UInt8]

    /// Observations of the last reset or step: `count` values laid out back to back.
    public private(set) var observations: [UInt8]
    /// Rewards of the last step.
    public private(set) var rewards: [Double]
    /// Per environment, 1 when the last step terminated its episode.
    public private(set) var terminated: [UInt8]
    /// Per environment, 1 when the last step hit the time limit.
    public private(set) var truncated: [UInt8]
    /// Non-empty infos of the last reset or step, by environment index.
    public private(set) var infos: [(index: Int, info: ValueMap)] = []
    /// The seed each environment's generator got at the last `reset`, nil when they continued.
    public private(set) var lastResetSeeds: [UInt64]?
    /// Same-step mode: environments whose episode ended in the last step.
    public private(set) var finalIndices: [Int] = []
    /// Same-step mode: their final observations, back to back in `finalIndices` order.
    public private(set) var finalObservations: [UInt8] = []
    /// Same-step mode: their final step infos.
    public private(set) var finalInfos: [(index: Int, info: ValueMap)] = []

    /// Builds `count` environments of `spec`. `seed` seeds environment i with `seed + i` at
    /// its first reset unless that reset brings seeds of its own.
    public init(
        spec: EnvSpec, count: Int, kwargs: ValueMap = [:], seed: UInt64? = nil,
        maxEpisodeSteps: Int? = nil, autoreset: AutoresetMode = .nextStep
    ) throws {
        guard count >= 1 else { throw GymError(.invalidArgument, "num_envs must be at least 1, got \(count)") }
        self.spec = spec
        self.count = count
        self.autoreset = autoreset
        let limit = maxEpisodeSteps ?? spec.maxEpisodeSteps
        self.maxEpisodeSteps = (limit ?? 0) > 0 ? limit : nil
        self.envs = try (0..<count).map { _ in try spec.make(kwargs) }
        observationLeaves = spec.observationSpace.leaves
        actionLeaves = spec.actionSpace.leaves
        observationBytes = spec.observationSpace.byteCount
        actionBytes = spec.actionSpace.byteCount
        elapsed = Array(repeating: 0, count: count)
        needsReset = Array(repeating: true, count: count)
        pendingSeeds = seed.map { base in (0..<count).map { base &+ UInt64($0) } }
        actionScratch = actionLeaves.count > 1 ? Array(repeating: 0, count: actionBytes) : []
        observations = Array(repeating: 0, count: count * observationBytes)
        rewards = Array(repeating: 0, count: count)
        terminated = Array(repeating: 0, count: count)
        truncated = Array(repeating: 0, count: count)
    }

    /// Resets every environment. `seeds`: empty, one seed `s` (environment i gets `s + i`), or one per environment.
    public func reset(seeds: [UInt64] = [], options: ValueMap = [:]) throws {
        let perEnv: [UInt64]?
        switch seeds.count {
        case 0: perEnv = pendingSeeds
        case 1: perEnv = (0..<count).map { seeds[0] &+ UInt64($0) }
        case count: perEnv = seeds
        default: throw GymError(.invalidArgument, "reset takes 0, 1 or \(count) seeds, got \(seeds.count)")
        }
        pendingSeeds = nil
        lastResetSeeds = perEnv
        infos.removeAll(keepingCapacity: true)
        clearFinal()
        let stride = observationBytes
        try observations.withUnsafeMutableBytes { out in
            for index in 0..<count {
                let slot = UnsafeMutableRawBufferPointer(rebasing: out[(index * stride)..<((index + 1) * stride)])
                let info = try envs[index].reset(seed: perEnv?[index], options: options, observation: slot)
                if !info.isEmpty { infos.append((index, info)) }
                elapsed[index] = 0
                needsReset[index] = false
                rewards[index] = 0
                terminated[index] = 0
                truncated[index] = 0
            }
        }
        hasReset = true
    }

    /// Checks a batch of actions (one array per action leaf, each `[count, ...leaf shape]`).
    public func validate(actions: [NDArray]) throws {
        guard actions.count == actionLeaves.count else {
            throw GymError(.invalidAction, "expected \(actionLeaves.count) action array(s), got \(actions.count)")
        }
        for (leafIndex, (array, leaf)) in zip(actions, actionLeaves).enumerated() {
            let expectedShape = [count] + leaf.shape
            guard array.dtype == leaf.dtype else {
                throw GymError(.invalidAction, "action \(leafIndex) must be \(leaf.dtype) for \(leaf.summary), got \(array.dtype)")
            }
            guard array.shape == expectedShape, array.isWellFormed else {
                throw GymError(.invalidAction, "action \(leafIndex) must have shape \(expectedShape) (\(array.bytes.count) bytes for shape \(array.shape))")
            }
            let outside = array.bytes.withUnsafeBytes { leaf.firstOutOfRange($0, count: count) }
            if let (env, element) = outside {
                let value = array.bytes.withUnsafeBytes { array.dtype.load($0, at: env * leaf.elementCount + element) }
                throw GymError(.invalidAction, "action for env \(env) is outside \(leaf.summary): element \(element) = \(value)")
            }
        }
        guard hasReset else { throw GymError(.resetNeeded, "step before the first reset") }
        if autoreset == .disabled, let ended = needsReset.firstIndex(of: true) {
            throw GymError(.resetNeeded, "env \(ended) ended its episode and autoreset is disabled: reset first")
        }
    }

    /// Validates and applies one action per environment, filling the output buffers.
    public func step(actions: [NDArray]) throws {
        try validate(actions: actions)
        infos.removeAll(keepingCapacity: true)
        clearFinal()
        if actionLeaves.count == 1 {
            try actions[0].bytes.withUnsafeBytes { try stepAll(actions: $0) }
        } else {
            try stepGathering(actions)
        }
    }

    private func stepGathering(_ actions: [NDArray]) throws {
        // Interleave the leaves into one contiguous action per environment.
        var combined = [UInt8](repeating: 0, count: count * actionBytes)
        var offset = 0
        for (array, leaf) in zip(actions, actionLeaves) {
            let size = leaf.byteCount
            for index in 0..<count {
                let destination = index * actionBytes + offset
                combined.replaceSubrange(destination..<(destination + size), with: array.bytes[(index * size)..<((index + 1) * size)])
            }
            offset += size
        }
        try combined.withUnsafeBytes { try stepAll(actions: $0) }
    }

    private func stepAll(actions: UnsafeRawBufferPointer) throws {
        let stride = observationBytes
        let limit = maxEpisodeSteps ?? Int.max
        // The per-env arrays move into locals for the loop and back after it: written through
        // `self`, every element store paid a dynamic exclusivity check and a uniqueness check,
        // most of the batch's own time at CartPole's size.
        var elapsed: [Int] = [], needsReset: [Bool] = [], rewards: [Double] = [], terminated: [UInt8] = [], truncated: [UInt8] = []
        swap(&elapsed, &self.elapsed)
        swap(&needsReset, &self.needsReset)
        swap(&rewards, &self.rewards)
        swap(&terminated, &self.terminated)
        swap(&truncated, &self.truncated)
        defer {
            swap(&elapsed, &self.elapsed)
            swap(&needsReset, &self.needsReset)
            swap(&rewards, &self.rewards)
            swap(&terminated, &self.terminated)
            swap(&truncated, &self.truncated)
        }
        var observations: [UInt8] = []
        swap(&observations, &self.observations)
        defer { swap(&observations, &self.observations) }
        let envs = self.envs
        try observations.withUnsafeMutableBytes { out in
            for index in 0..<count {
                let slot = UnsafeMutableRawBufferPointer(rebasing: out[(index * stride)..<((index + 1) * stride)])
                if needsReset[index] {
                    // Next-step autoreset: this step only restarts the episode.
                    let info = try envs[index].reset(seed: nil, options: [:], observation: slot)
                    if !info.isEmpty { infos.append((index, info)) }
                    elapsed[index] = 0
                    needsReset[index] = false
                    rewards[index] = 0
                    terminated[index] = 0
                    truncated[index] = 0
                    continue
                }
                let action = UnsafeRawBufferPointer(rebasing: actions[(index * actionBytes)..<((index + 1) * actionBytes)])
                let result = try envs[index].step(action: action, observation: slot)
                elapsed[index] += 1
                let timeUp = elapsed[index] >= limit
                rewards[index] = result.reward
                terminated[index] = result.terminated ? 1 : 0
                truncated[index] = timeUp ? 1 : 0
                if !result.info.isEmpty { infos.append((index, result.info)) }
                if result.terminated || timeUp {
                    if autoreset == .sameStep {
                        // The restarted episode counts from 0 (`elapsed` is this loop's local, not `self`'s).
                        try finishAndRestart(index, slot: slot, info: result.info)
                        elapsed[index] = 0
                    } else {
                        needsReset[index] = true
                    }
                }
            }
        }
    }

    private func finishAndRestart(_ index: Int, slot: UnsafeMutableRawBufferPointer, info: ValueMap) throws {
        finalIndices.append(index)
        finalObservations.append(contentsOf: UnsafeRawBufferPointer(slot))
        finalInfos.append((index, info))
        let resetInfo = try envs[index].reset(seed: nil, options: [:], observation: slot)
        // The reset info replaces the step info in `infos`; the step's went to `finalInfos`.
        if let last = infos.last, last.index == index { infos.removeLast() }
        if !resetInfo.isEmpty { infos.append((index, resetInfo)) }
    }

    private func clearFinal() {
        guard !finalIndices.isEmpty else { return }
        finalIndices.removeAll(keepingCapacity: true)
        finalObservations.removeAll(keepingCapacity: true)
        finalInfos.removeAll(keepingCapacity: true)
    }

    /// The observations split per observation leaf, each shaped `[rows, ...leaf shape]`.
    public func observationArrays() -> [NDArray] {
        Self.split(observations, rows: count, leaves: observationLeaves, stride: observationBytes)
    }

    /// Same-step mode: the final observations split per leaf.
    public func finalObservationArrays() -> [NDArray] {
        Self.split(finalObservations, rows: finalIndices.count, leaves: observationLeaves, stride: observationBytes)
    }

    static func split(_ bytes: [UInt8], rows: Int, leaves: [Space], stride: Int) -> [NDArray] {
        if leaves.count == 1, let leaf = leaves.first {
            return [NDArray(dtype: leaf.dtype, shape: [rows] + leaf.shape, bytes: bytes)]
        }
        var offset = 0
        return leaves.map { leaf in
            let size = leaf.byteCount
            var part = [UInt8]()
            part.reserveCapacity(rows * size)
            for row in 0..<rows {
                let start = row * stride + offset
                part.append(contentsOf: bytes[start..<(start + size)])
            }
            offset += size
            return NDArray(dtype: leaf.dtype, shape: [rows] + leaf.shape, bytes: part)
        }
    }

    /// Draws environment `index`.
    public func render(index: Int) throws -> RGBFrame {
        guard envs.indices.contains(index) else {
            throw GymError(.invalidArgument, "env index \(index) is outside 0..<\(count)")
        }
        return try envs[index].render()
    }
}
