import NeuralNet

/// A deterministic policy over a flat float observation: what evaluation runs, what `--save`
/// writes and `gym eval` loads.
///
/// Discrete-action policies conform through `GreedyPolicy` (an action index per observation),
/// continuous ones through `ContinuousPolicy` (a float vector per observation, inside the
/// action space's Box bounds); either way `actions(_:count:)` gives what to send.
public protocol Policy: AnyObject {
    /// Floats in one observation, as `observationForm` encodes it.
    var observationSize: Int { get }
    /// How observations are encoded for it: features, or a table row (`ObservationEncoding`).
    var observationForm: ObservationEncoding.Form { get }
    /// Discrete: the number of actions; Box: the floats in one action.
    var actionCount: Int { get }
    /// Whether actions are Box vectors rather than Discrete indices.
    var isContinuous: Bool { get }
    /// The actions for `count` observations laid out back to back.
    func actions(_ observations: [Float], count: Int) -> PolicyActions
    /// What rebuilds this policy from a file.
    var checkpoint: PolicyCheckpoint { get }
}

extension Policy {
    /// Features, for every policy but a table indexed by discrete observations.
    public var observationForm: ObservationEncoding.Form { .features }
}
