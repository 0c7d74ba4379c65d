import Foundation
import GymCore
import GymProtocol
import ZeroMQ

/// Versioned weights from a learner's parameter service.
public struct VersionedWeights: Sendable {
    /// The weights' version (0: the learner has published none yet).
    public var version: UInt64
    /// A safetensors file's bytes; empty when nothing newer than asked for exists.
    public var safetensors: [UInt8]
    /// Whether the learner has finished and the worker should exit.
    public var stop: Bool
}
