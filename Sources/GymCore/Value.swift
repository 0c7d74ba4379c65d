/// A loosely typed value for env kwargs, reset options and step infos.
public indirect enum Value: Sendable, Equatable {
    case number(Double)
    case integer(Int64)
    case text(String)
    case flag(Bool)
    case array(NDArray)
    case list([Value])
    case map([String: Value])

    /// The value as a Double when it is numeric.
    public var doubleValue: Double? {
        switch self {
        case .number(let value): return value
        case .integer(let value): return Double(value)
        default: return nil
        }
    }

    /// The value as an Int when it is an integer (or a whole number).
    public var intValue: Int? {
        switch self {
        case .integer(let value): return Int(exactly: value)
        case .number(let value): return Int(exactly: value)
        default: return nil
        }
    }

    /// The value as a Bool when it is a flag.
    public var boolValue: Bool? {
        if case .flag(let value) = self { return value }
        return nil
    }
}

/// Named values, as Gymnasium's `info` dicts and `options`.
public typealias ValueMap = [String: Value]
