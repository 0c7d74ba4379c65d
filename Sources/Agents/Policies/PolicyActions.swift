import NeuralNet

/// The actions a policy chose for a batch of observations.
public enum PolicyActions: Sendable, Equatable {
    /// One index in `0..<actionCount` per observation (offset by the space's start when sent).
    case discrete([Int])
    /// `actionCount` floats per observation, back to back, inside the Box bounds.
    case box([Float])
}
