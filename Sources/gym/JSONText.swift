import Foundation
import GymCore
import JSONWriting

/// A JSON value written with exact numbers: float32 values in their shortest round-trip form,
/// doubles likewise, and keys in the order given.
enum JSONText {
    case int(Int64)
    case float(Float)
    case double(Double)
    case bool(Bool)
    case string(String)
    case array([JSONText])
    case object([(String, JSONText)])
    case null

    var rendered: String {
        switch self {
        case .int(let value): return String(value)
        case .float(let value): return value.isFinite ? value.description : "null"
        case .double(let value): return value.isFinite ? value.description : "null"
        case .bool(let value): return value ? "true" : "false"
        case .string(let value): return Self.quote(value)
        case .array(let values): return "[" + values.map(\.rendered).joined(separator: ", ") + "]"
        case .object(let pairs): return "{" + pairs.map { Self.quote($0.0) + ": " + $0.1.rendered }.joined(separator: ", ") + "}"
        case .null: return "null"
        }
    }

    static func quote(_ text: String) -> String { JSONString.quoted(text) }

    /// A count or a measurement: whole numbers of at most 2⁵³ print as integers (`"workers": 2`),
    /// the rest as doubles.
    static func number(_ value: Double) -> JSONText {
        if value.rounded() == value, abs(value) <= 9_007_199_254_740_992 { return .int(Int64(value)) }
        return .double(value)
    }
}

extension JSONText {
    /// An array's elements nested by its shape; float32 stays float32 so values print exactly.
    init(_ array: NDArray) {
        func nest(_ flat: [JSONText], _ shape: ArraySlice<Int>) -> JSONText {
            guard let first = shape.first else { return flat.first ?? .null }
            if shape.count == 1 { return .array(flat) }
            let size = flat.count / max(first, 1)
            return .array((0..<first).map { nest(Array(flat[($0 * size)..<(($0 + 1) * size)]), shape.dropFirst()) })
        }
        let flat: [JSONText]
        switch array.dtype {
        case .float32: flat = array.floats.map(JSONText.float)
        case .float64: flat = array.doubles.map(JSONText.double)
        case .bool: flat = array.bytes.map { .bool($0 != 0) }
        default: flat = array.int64s.map(JSONText.int)
        }
        self = nest(flat, array.shape[...])
    }

    /// Observation leaves: one leaf prints as itself, several as a list.
    init(leaves: [NDArray]) {
        self = leaves.count == 1 ? JSONText(leaves[0]) : .array(leaves.map(JSONText.init))
    }
}
