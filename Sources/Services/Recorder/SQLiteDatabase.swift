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

/// One SQLite connection. Used from one thread at a time.
public final class SQLiteDatabase {
    let handle: OpaquePointer
    /// The file's path.
    public let path: String

    /// Opens (or, with `create`, creates) the database at `path`.
    public init(path: String, create: Bool = true, readOnly: Bool = false) throws {
        self.path = path
        var db: OpaquePointer?
        let flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0))
        let result = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard result == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: result, message: "open \(path): \(message)")
        }
        handle = db
        sqlite3_busy_timeout(db, 5000)
    }

    deinit { sqlite3_close_v2(handle) }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        let result = sqlite3_exec(handle, sql, nil, nil, &error)
        guard result == SQLITE_OK else {
            let message = error.map { String(cString: $0) } ?? lastMessage
            sqlite3_free(error)
            throw SQLiteError(code: result, message: "\(message) (in: \(sql.prefix(80)))")
        }
    }

    /// Compiles a statement for repeated use.
    public func prepare(_ sql: String) throws -> SQLiteStatement {
        try SQLiteStatement(database: self, sql: sql)
    }

    /// The rows of a query, each as column values.
    public func rows(_ sql: String, _ arguments: [SQLiteValue] = []) throws -> [[SQLiteValue]] {
        let statement = try prepare(sql)
        try statement.bind(arguments)
        var rows: [[SQLiteValue]] = []
        while try statement.step() { rows.append(statement.row) }
        return rows
    }

    /// The first column of the first row, or nil when there is none.
    public func scalar(_ sql: String, _ arguments: [SQLiteValue] = []) throws -> SQLiteValue? {
        try rows(sql, arguments).first?.first
    }

    /// The rowid of the last insert.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Whether a transaction is open.
    public var inTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    var lastMessage: String { String(cString: sqlite3_errmsg(handle)) }
}

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
