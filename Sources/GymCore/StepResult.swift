/// What one step returns besides the observation.
public struct StepResult: Sendable {
    /// The reward for the transition.
    public var reward: Double
    /// The episode reached a terminal state of the task (not a time limit).
    public var terminated: Bool
    /// Extra information; empty for most steps.
    public var info: ValueMap

    /// Creates a step result.
    @inline(__always)
    public init(reward: Double, terminated: Bool, info: ValueMap = [:]) {
        self.reward = reward
        self.terminated = terminated
        self.info = info
    }
}
