import NeuralNet

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
