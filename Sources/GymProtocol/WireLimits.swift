import Foundation
import GymCore

/// The limits every server and client applies to what comes off the wire, before anything is
/// allocated from it. Every product of peer-chosen numbers is computed with overflow checks:
/// a peer must never be able to trap the process with a shape, a count or a nesting.
///
/// protocol/README.md ("Limits") documents each of these for authors of other clients.
public enum WireLimits {
    /// Most dimensions a tensor may have.
    public static let maxTensorRank = 8
    /// Deepest nesting of lists and maps in a `Value` (a scalar at top level is depth 1).
    public static let maxValueDepth = 32
    /// Longest `Value` text, in UTF-8 bytes.
    public static let maxTextBytes = 1 << 20
    /// Longest key of a value map, in UTF-8 bytes.
    public static let maxKeyBytes = 1024
    /// How much of a peer-chosen string an error reply or a log line repeats.
    public static let maxEchoedBytes = 200
    /// Longest error message a reply carries; longer ones are clipped.
    public static let maxErrorMessageBytes = 4096
}

/// Caps on one tensor read from the wire, by what the tensor is for.
public struct TensorLimits: Sendable, Equatable {
    /// Most bytes of data.
    public var maxBytes: Int
    /// Most dimensions.
    public var maxRank: Int

    /// Caps of `maxBytes` and `WireLimits.maxTensorRank` dimensions.
    public init(maxBytes: Int, maxRank: Int = WireLimits.maxTensorRank) {
        self.maxBytes = maxBytes
        self.maxRank = maxRank
    }

    /// A step's actions, one tensor per action leaf for the whole batch.
    public static let action = TensorLimits(maxBytes: 64 << 20)
    /// A tensor inside a `Value` (kwargs, reset options, infos, settings).
    public static let value = TensorLimits(maxBytes: 16 << 20)
    /// Observations, frames and rewards a client reads from a daemon's reply.
    public static let observation = TensorLimits(maxBytes: 1 << 30)
    /// A column of a buffer insert, sample or checkpoint.
    public static let bufferColumn = TensorLimits(maxBytes: 1 << 30)
    /// Bounds of a Box space.
    public static let spaceBound = TensorLimits(maxBytes: 16 << 20)
}

extension TensorLimits {
    /// The shape as `Int`s after checking rank, every dimension and the element count, and the
    /// byte count the shape needs (element count × `byteSize`), all without overflow.
    /// Throws MALFORMED naming `what` when any check fails.
    public func checkedShape(_ shape: [Int64], byteSize: Int, what: String = "tensor") throws -> (shape: [Int], bytes: Int) {
        guard shape.count <= maxRank else {
            throw GymError(.malformed, "\(what) has rank \(shape.count), more than \(maxRank)")
        }
        var elements = 1
        var dims: [Int] = []
        dims.reserveCapacity(shape.count)
        for dim in shape {
            guard dim >= 0, dim <= Int64(maxBytes) else {
                throw GymError(.malformed, "\(what) has dimension \(dim) in shape \(WireLimits.describe(shape)); dimensions are 0...\(maxBytes)")
            }
            let (product, overflow) = elements.multipliedReportingOverflow(by: Int(dim))
            guard !overflow else { throw GymError(.malformed, "\(what) of shape \(WireLimits.describe(shape)) has too many elements") }
            elements = product
            dims.append(Int(dim))
        }
        let (bytes, overflow) = elements.multipliedReportingOverflow(by: byteSize)
        guard !overflow, bytes <= maxBytes else {
            throw GymError(.malformed, "\(what) of shape \(WireLimits.describe(shape)) would take more than \(maxBytes) bytes")
        }
        return (dims, bytes)
    }

    /// Checks a wire tensor against these limits without copying its data; returns its dtype and shape.
    public func check(_ tensor: Gym_V1_Tensor, what: String = "tensor") throws -> (dtype: DType, shape: [Int]) {
        guard let dtype = DType(wire: tensor.dtype) else { throw GymError(.malformed, "\(what) has unknown dtype \(tensor.dtype)") }
        let (shape, bytes) = try checkedShape(tensor.shape, byteSize: dtype.byteSize, what: what)
        guard bytes == tensor.data.count else {
            throw GymError(.malformed, "\(what) of shape \(WireLimits.describe(tensor.shape)) and dtype \(dtype) needs \(bytes) bytes, has \(tensor.data.count)")
        }
        return (dtype, shape)
    }
}

extension WireLimits {
    /// A shape for a message: at most the first 8 dimensions.
    static func describe(_ shape: [Int64]) -> String {
        shape.count <= 8 ? "\(shape)" : "\(Array(shape.prefix(8))) and \(shape.count - 8) more"
    }

    /// A peer-chosen string as a message may repeat it: at most `maxEchoedBytes` of it, cut at a
    /// character boundary, with how much was left out.
    public static func echo(_ text: String) -> String { text.clippedForEcho() }

    /// A message clipped to `maxErrorMessageBytes`.
    public static func clipMessage(_ message: String) -> String {
        message.utf8.count <= maxErrorMessageBytes ? message : message.clippedForEcho(maxBytes: maxErrorMessageBytes)
    }
}

extension Gym_V1_Tensor {
    /// The wire form of an array.
    public init(_ array: NDArray) {
        self.init()
        dtype = array.dtype.wire
        shape = array.shape.map(Int64.init)
        data = Data(array.bytes)
    }

    /// An array from the wire, checked against `limits` (rank, dimensions, element count ×
    /// dtype size == data length, all overflow-safe) before its data is copied.
    public func ndarray(limits: TensorLimits = .observation, what: String = "tensor") throws -> NDArray {
        let (dtype, shape) = try limits.check(self, what: what)
        return NDArray(dtype: dtype, shape: shape, bytes: [UInt8](data))
    }
}
