import Foundation
import Logging

/// A log handler that keeps what it is given, so tests can check what was logged.
public final class CapturedLog: LogHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [(level: Logger.Level, text: String)] = []
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace

    /// An empty log.
    public init() {}

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        lock.lock()
        lines.append((event.level, "\(event.message)"))
        lock.unlock()
    }

    /// Everything logged so far, in order.
    public var messages: [(level: Logger.Level, text: String)] {
        lock.lock()
        defer { lock.unlock() }
        return lines
    }

    /// A logger writing into this log.
    public var logger: Logger { Logger(label: "test") { _ in self } }
}
