import GymCore
import NeuralNet

/// The names and shapes of a learner's network, taken from the first weights the learner
/// publishes, against which the service checks every gradient push before the learner sees it:
/// well-formed safetensors, `F32` only (the one dtype the networks hold), every tensor named
/// after one of the network's with that tensor's shape, and every element finite. One NaN push used to turn every A3C weight into NaN.
public struct ParameterSignature: Sendable, Equatable {
    /// Shape of each tensor, by name.
    public let shapes: [String: [Int]]

    /// The signature of a learner's weights (safetensors bytes).
    public init(weights: [UInt8]) throws {
        shapes = try Self.decode(weights, what: "the learner's weights").mapValues(\.shape)
    }

    /// Checks gradients: each names a tensor of the network and has its shape; every element is
    /// finite. A learner may still ask for all of them (A3C does).
    public func check(gradients bytes: [UInt8]) throws {
        for (name, tensor) in try Self.decode(bytes, what: "gradients").sorted(by: { $0.key < $1.key }) {
            guard let shape = shapes[name] else {
                throw GymError(.invalidArgument, "gradients hold \(name.clippedForEcho()), which the learner's network does not have")
            }
            guard tensor.shape == shape else {
                throw GymError(.invalidArgument, "gradients hold \(name) of shape \(WireShape(tensor.shape)); the learner's network has \(shape)")
            }
            guard tensor.data.allSatisfy(\.isFinite) else {
                throw GymError(.invalidArgument, "gradients hold non-finite values in \(name)")
            }
        }
    }

    private static func decode(_ bytes: [UInt8], what: String) throws -> [String: Tensor] {
        do {
            return try SafeTensors.decode(bytes).tensors
        } catch {
            throw GymError(.invalidArgument, "\(what) are not F32 safetensors: \(error.message.clippedForEcho(maxBytes: 400))")
        }
    }
}

/// A shape for a message: at most its first 8 dimensions.
private struct WireShape: CustomStringConvertible {
    let shape: [Int]
    init(_ shape: [Int]) { self.shape = shape }
    var description: String { shape.count <= 8 ? "\(shape)" : "\(Array(shape.prefix(8))) and \(shape.count - 8) more" }
}
