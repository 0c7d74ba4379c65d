import Foundation
import GymCore

/// How one observation or action of a space lies in a recording's blobs: its byte size and the
/// NumPy dtype and shape that read it (docs/recording.md).
public struct ArrayLayout: Sendable, Equatable {
    /// Bytes of one value (all leaves back to back).
    public let stride: Int
    /// Bytes of each leaf, in leaf order.
    public let leafBytes: [Int]
    /// NumPy dtype: e.g. `<f4`, or a JSON list of `[name, dtype, shape]` fields for several leaves.
    public let dtype: String
    /// JSON list: the shape of one value (`[]` for several leaves, whose shapes are in `dtype`).
    public let shape: String

    /// The layout of `space`'s values.
    public init(_ space: Space) {
        let leaves = space.leaves
        leafBytes = leaves.map(\.byteCount)
        stride = leafBytes.reduce(0, +)
        if leaves.count == 1, let leaf = leaves.first {
            dtype = Self.numpy(leaf.dtype)
            shape = Self.json(leaf.shape)
        } else {
            dtype = "[" + leaves.enumerated().map { "[\"\($0.offset)\", \"\(Self.numpy($0.element.dtype))\", \(Self.json($0.element.shape))]" }
                .joined(separator: ", ") + "]"
            shape = "[]"
        }
    }

    static func json(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }

    /// NumPy's name for a dtype, little-endian.
    public static func numpy(_ dtype: DType) -> String {
        switch dtype {
        case .float32: return "<f4"
        case .float64: return "<f8"
        case .int64: return "<i8"
        case .int32: return "<i4"
        case .int8: return "|i1"
        case .uint8: return "|u1"
        case .bool: return "|b1"
        }
    }
}
