import Foundation
import GymCore

extension DType {
    /// The wire enum for this dtype.
    public var wire: Gym_V1_DType {
        switch self {
        case .float32: return .float32
        case .float64: return .float64
        case .int64: return .int64
        case .int32: return .int32
        case .int8: return .int8
        case .uint8: return .uint8
        case .bool: return .bool
        }
    }

    /// The dtype a wire enum names, nil for unspecified or unknown values.
    public init?(wire: Gym_V1_DType) {
        switch wire {
        case .float32: self = .float32
        case .float64: self = .float64
        case .int64: self = .int64
        case .int32: self = .int32
        case .int8: self = .int8
        case .uint8: self = .uint8
        case .bool: self = .bool
        case .unspecified, .UNRECOGNIZED: return nil
        }
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

    /// An array from the wire, checked for a known dtype, a sane shape and a matching byte count.
    public func ndarray() throws -> NDArray {
        guard let dtype = DType(wire: dtype) else { throw GymError(.malformed, "tensor has unknown dtype \(self.dtype)") }
        guard shape.allSatisfy({ $0 >= 0 && $0 <= Int64(Int32.max) }) else {
            throw GymError(.malformed, "tensor has invalid shape \(shape)")
        }
        let array = NDArray(dtype: dtype, shape: shape.map { Int($0) }, bytes: [UInt8](data))
        guard array.isWellFormed else {
            throw GymError(.malformed, "tensor of shape \(shape) and dtype \(dtype) needs \(array.elementCount * dtype.byteSize) bytes, has \(data.count)")
        }
        return array
    }
}
