import NeuralNet

/// A deterministic policy over a flat float observation and `Discrete(n)` actions: what
/// evaluation runs, what `--save` writes and `gym eval` loads.
public protocol GreedyPolicy: AnyObject {
    /// Features in one observation.
    var observationSize: Int { get }
    /// Number of actions (indices `0..<actionCount`, offset by the space's start when sent).
    var actionCount: Int { get }
    /// The best action for each of `count` observations laid out back to back.
    func greedyActions(_ observations: [Float], count: Int) -> [Int]
    /// What rebuilds this policy from a file.
    var checkpoint: PolicyCheckpoint { get }
}

/// A policy's parameters and the structure needed to rebuild it (see `PolicyFile`).
public struct PolicyCheckpoint: Sendable {
    /// `q_network` or `q_table`.
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
