import ArgumentParser
import GymClient
import GymCore
import GymServer
import GymPlugin
import Logging

/// Logs go to stderr, so stdout stays clean for JSON.
enum LogSetup {
    nonisolated(unsafe) private static var done = false

    static func bootstrap(level: Logger.Level) {
        guard !done else { return }
        done = true
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
