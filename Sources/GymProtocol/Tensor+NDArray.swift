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
