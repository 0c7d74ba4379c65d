import CSQLite
import Foundation

/// A value read from or bound to a statement.
public enum SQLiteValue: Equatable, Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    /// The value as an integer, when it is one.
    public var int: Int64? { if case .integer(let value) = self { return value }; return nil }
    /// The value as a double (integers convert).
    public var double: Double? {
        switch self {
        case .real(let value): return value
        case .integer(let value): return Double(value)
        default: return nil
        }
    }
    /// The value as text, when it is text.
    public var text: String? { if case .text(let value) = self { return value }; return nil }
    /// The value as bytes (text gives its UTF-8).
    public var bytes: [UInt8]? {
        switch self {
        case .blob(let value): return value
        case .text(let value): return Array(value.utf8)
        default: return nil
        }
    }
}
