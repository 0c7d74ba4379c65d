import CSQLite
import Foundation

/// SQLite copies bound text and blobs (SQLITE_TRANSIENT), so Swift buffers need not outlive the call.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A compiled statement, reset and re-bound for each use.
public final class SQLiteStatement {
    private let statement: OpaquePointer
    private let database: SQLiteDatabase

    init(database: SQLiteDatabase, sql: String) throws {
        self.database = database
        var statement: OpaquePointer?
        let result = sqlite3_prepare_v2(database.handle, sql, -1, &statement, nil)
        guard result == SQLITE_OK, let statement else {
            throw SQLiteError(code: result, message: "prepare: \(database.lastMessage) (in: \(sql.prefix(80)))")
        }
        self.statement = statement
    }

    deinit { sqlite3_finalize(statement) }

    /// Clears earlier bindings and binds `values` to parameters 1, 2, ...
    public func bind(_ values: [SQLiteValue]) throws {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let result: Int32
            switch value {
            case .null: result = sqlite3_bind_null(statement, index)
            case .integer(let int): result = sqlite3_bind_int64(statement, index, int)
            case .real(let double): result = sqlite3_bind_double(statement, index, double)
            case .text(let text): result = sqlite3_bind_text(statement, index, text, -1, transient)
            case .blob(let bytes):
                result = bytes.withUnsafeBytes { sqlite3_bind_blob64(statement, index, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1), UInt64($0.count), transient) }
            }
            guard result == SQLITE_OK else { throw SQLiteError(code: result, message: "bind \(index): \(database.lastMessage)") }
        }
    }

    /// Binds raw bytes to parameter `index` without building an array first.
    public func bindBlob(_ index: Int32, _ bytes: UnsafeRawBufferPointer) throws {
        let result = sqlite3_bind_blob64(statement, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), UInt64(bytes.count), transient)
        guard result == SQLITE_OK else { throw SQLiteError(code: result, message: "bind \(index): \(database.lastMessage)") }
    }

    /// Binds text to parameter `index`.
    public func bindText(_ index: Int32, _ text: String) throws {
        let result = sqlite3_bind_text(statement, index, text, -1, transient)
        guard result == SQLITE_OK else { throw SQLiteError(code: result, message: "bind \(index): \(database.lastMessage)") }
    }

    /// Advances; true while a row is available.
    @discardableResult
    public func step() throws -> Bool {
        switch sqlite3_step(statement) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code: throw SQLiteError(code: code, message: "step: \(database.lastMessage)")
        }
    }

    /// Binds, runs to completion and resets.
    public func run(_ values: [SQLiteValue]) throws {
        try bind(values)
        while try step() {}
        sqlite3_reset(statement)
    }

    /// The current row's columns.
    public var row: [SQLiteValue] {
        (0..<sqlite3_column_count(statement)).map(column)
    }

    /// Column `index` of the current row.
    public func column(_ index: Int32) -> SQLiteValue {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, index))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, index))
        case SQLITE_TEXT: return .text(String(cString: sqlite3_column_text(statement, index)))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(statement, index))
            guard count > 0, let base = sqlite3_column_blob(statement, index) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: base, count: count)))
        default: return .null
        }
    }
}
