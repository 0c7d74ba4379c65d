/// What a training loop counts from one step to the next: environment steps, gradient updates,
/// and the fraction of an update owed (off-policy loops learn `updatesPerStep` times a step).
public struct LoopCounters: Codable, Sendable, Equatable {
    /// Environment steps, all environments together.
    public var step: Int
    /// Gradient updates so far.
    public var updates: Int
    /// Updates owed but not yet taken.
    public var updateCredit: Double

    /// Counters at the given values.
    public init(step: Int, updates: Int, updateCredit: Double = 0) {
        self.step = step
        self.updates = updates
        self.updateCredit = updateCredit
    }
}
