/// One hyperparameter or metadata value, as it is written to a policy's JSON metadata.
public enum MetadataValue: Sendable, Equatable, Codable, CustomStringConvertible {
    /// A whole number.
    case int(Int)
    /// A real number.
    case double(Double)
    /// A flag.
    case bool(Bool)
    /// Text, e.g. a schedule or a loss name.
    case string(String)
    /// A list of whole numbers, e.g. layer sizes.
    case ints([Int])
    /// A list of real numbers, e.g. binned ranges.
    case doubles([Double])

    /// Writes the bare JSON value (no tagging), so the metadata reads naturally from Python.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .ints(let value): try container.encode(value)
        case .doubles(let value): try container.encode(value)
        }
    }

    /// Reads a bare JSON value, preferring the narrowest type that fits.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([Int].self) {
            self = .ints(value)
        } else {
            self = .doubles(try container.decode([Double].self))
        }
    }

    /// The value as a person would write it.
    public var description: String {
        switch self {
        case .int(let value): return String(value)
        case .double(let value): return String(value)
        case .bool(let value): return String(value)
        case .string(let value): return value
        case .ints(let value): return value.map(String.init).joined(separator: ",")
        case .doubles(let value): return value.map { String($0) }.joined(separator: ",")
        }
    }
}
