import NeuralNet

/// A deterministic policy over a flat float observation: what evaluation runs, what `--save`
/// writes and `gym eval` loads.
///
/// Discrete-action policies conform through `GreedyPolicy` (an action index per observation),
/// continuous ones through `ContinuousPolicy` (a float vector per observation, inside the
/// action space's Box bounds); either way `actions(_:count:)` gives what to send.
public protocol Policy: AnyObject {
    /// Features in one observation.
    var observationSize: Int { get }
    /// Discrete: the number of actions; Box: the floats in one action.
    var actionCount: Int { get }
    /// Whether actions are Box vectors rather than Discrete indices.
    var isContinuous: Bool { get }
    /// The actions for `count` observations laid out back to back.
    func actions(_ observations: [Float], count: Int) -> PolicyActions
    /// What rebuilds this policy from a file.
    var checkpoint: PolicyCheckpoint { get }
}

/// The actions a policy chose for a batch of observations.
public enum PolicyActions: Sendable, Equatable {
    /// One index in `0..<actionCount` per observation (offset by the space's start when sent).
    case discrete([Int])
    /// `actionCount` floats per observation, back to back, inside the Box bounds.
    case box([Float])
}

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

/// A policy's parameters and the structure needed to rebuild it (see `PolicyFile`).
public struct PolicyCheckpoint: Sendable {
    /// `q_network`, `q_table` or `continuous_actor`.
    public var kind: String
    /// The parameters, by name.
    public var tensors: [String: Tensor]
    /// Structural settings, e.g. the activation or the discretisation.
    public var structure: [String: MetadataValue]

    /// Creates a checkpoint.
    public init(kind: String, tensors: [String: Tensor], structure: [String: MetadataValue]) {
        self.kind = kind
        self.tensors = tensors
        self.structure = structure
    }
}
