import NeuralNet

/// A deterministic policy over `Box` actions: one float vector per observation.
public protocol ContinuousPolicy: Policy {
    /// `count × actionCount` floats, each inside the action space's bounds.
    func continuousActions(_ observations: [Float], count: Int) -> [Float]
}

extension ContinuousPolicy {
    /// Continuous.
    public var isContinuous: Bool { true }
    /// The continuous actions as a batch.
    public func actions(_ observations: [Float], count: Int) -> PolicyActions {
        .box(continuousActions(observations, count: count))
    }
}
