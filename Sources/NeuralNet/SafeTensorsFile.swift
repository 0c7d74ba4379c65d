import Foundation

/// A decoded safetensors file: tensors by name plus string metadata.
public struct SafeTensorsFile: Sendable, Equatable {
    /// Tensors by name.
    public var tensors: [String: Tensor]
    /// The `__metadata__` entries.
    public var metadata: [String: String]

    /// Creates a file's contents.
    public init(tensors: [String: Tensor], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }
}
