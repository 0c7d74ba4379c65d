import CSQLite
import Foundation

/// A failed SQLite call: what was attempted, SQLite's result code and its message.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    /// SQLite's primary result code (e.g. 5 = SQLITE_BUSY, 26 = SQLITE_NOTADB).
    public let code: Int32
    /// SQLite's message, prefixed with the operation.
    public let message: String

    public var description: String { "SQLite error \(code): \(message)" }
}
