import GymCore

/// One episode as the recorder assembles it: identity, how it began, and its per-step arrays.
public final class EpisodeBuffer {
    /// How an episode began.
    public enum StartKind: String, Sendable {
        /// A Reset request.
        case reset
        /// Next-step autoreset: the step after the previous episode's end.
        case nextStep = "next_step"
        /// Same-step autoreset: the step that ended the previous episode.
        case sameStep = "same_step"
    }

    /// How an episode ended.
    public enum EndKind: String, Sendable {
        case terminated, truncated
        /// The client reset the env before the episode ended.
        case reset
        /// The batch was closed.
        case closed
        /// The recorder stopped while the episode ran.
        case recorderStopped = "recorder_stopped"
    }

    public let id: Int64
    public let batch: BatchRecord
    public let envIndex: Int
    public let seed: UInt64?
    public let optionsJSON: String?
    public let startKind: StartKind
    public let lineageID: Int64?
    public let lineageIndex: Int?
    public let startTime: Double
    public var endTime: Double
    public var endKind: EndKind = .recorderStopped
    /// Observations back to back: the reset's, then one per step.
    public var observations: [UInt8] = []
    /// Actions back to back, one per step.
    public var actions: [UInt8] = []
    public var rewards: [Double] = []
    public var terminated: [UInt8] = []
    public var truncated: [UInt8] = []
    /// Event times: the reset's, then one per step.
    public var times: [Double] = []
    /// Non-empty infos by step index (0: the reset's).
    public var infos: [(t: Int, info: ValueMap)] = []
    public private(set) var totalReward = 0.0

    init(id: Int64, batch: BatchRecord, envIndex: Int, seed: UInt64?, optionsJSON: String?, startKind: StartKind,
         lineageID: Int64?, lineageIndex: Int?, time: Double) {
        self.id = id
        self.batch = batch
        self.envIndex = envIndex
        self.seed = seed
        self.optionsJSON = optionsJSON
        self.startKind = startKind
        self.lineageID = lineageID
        self.lineageIndex = lineageIndex
        self.startTime = time
        self.endTime = time
        // One allocation per array for most episodes, instead of a doubling series.
        let expected = batch.expectedLength
        observations.reserveCapacity((expected + 1) * batch.observationLayout.stride)
        actions.reserveCapacity(expected * batch.actionLayout.stride)
        rewards.reserveCapacity(expected)
        terminated.reserveCapacity(expected)
        truncated.reserveCapacity(expected)
        times.reserveCapacity(expected + 1)
    }

    /// Steps taken with an action.
    public var length: Int { rewards.count }

    /// Bytes a step adds beyond its observation and action: reward, two flags, time.
    static let bytesPerStep = 8 + 1 + 1 + 8
    /// Bytes the first observation adds beyond itself: its time.
    static let bytesPerObservation = 8

    /// Bytes the arrays hold (infos aside), as the assembler counts them against its cap.
    public var byteCount: Int {
        (length + 1) * (batch.observationLayout.stride + Self.bytesPerObservation) + length * (batch.actionLayout.stride + Self.bytesPerStep - Self.bytesPerObservation)
    }

    /// Appends one observation (the reset's, before any step).
    @inline(__always)
    func appendObservation(_ observation: UnsafeRawBufferPointer) {
        observations.append(contentsOf: observation)
    }

    /// Appends one step: the action taken and what followed.
    @inline(__always)
    func appendStep(action: UnsafeRawBufferPointer, observation: UnsafeRawBufferPointer, reward: Double,
                    terminated: UInt8, truncated: UInt8, time: Double) {
        actions.append(contentsOf: action)
        observations.append(contentsOf: observation)
        rewards.append(reward)
        totalReward += reward
        self.terminated.append(terminated)
        self.truncated.append(truncated)
        times.append(time)
        endTime = time
    }
}
