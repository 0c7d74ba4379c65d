import Foundation
import GymCore
import Logging

/// Worker or actor processes a learner starts on its own machine: `gym worker --learner ADDR`
/// children of the running executable, watched, and stopped at the end of the run.
///
/// A child that dies is logged and not restarted: the learner goes on with the others, and a
/// worker started by hand elsewhere may join in its place.
public final class WorkerFleet {
    private var processes: [Process] = []
    private let logger: Logger

    /// Starts `count` children `executable arguments…`, their stdout discarded, stderr shared.
    public init(executable: URL, arguments: [String], count: Int, logger: Logger) throws {
        self.logger = logger
        for index in 0..<count {
            let process = Process()
            process.executableURL = executable
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            try process.run()
            logger.notice("started worker process \(index) (pid \(process.processIdentifier))")
            processes.append(process)
        }
    }

    /// Process ids of the children, in start order.
    public var pids: [Int32] { processes.map(\.processIdentifier) }

    /// Children still running.
    public var running: Int { processes.filter(\.isRunning).count }

    /// Throws when every child has exited and no worker has been heard from (at uptime
    /// `lastHeard`, nanoseconds) for `patience` seconds: a learner would otherwise wait forever.
    public func ensureAlive(lastHeard: UInt64, patience: Double = 30) throws {
        guard running == 0, DispatchTime.now().uptimeNanoseconds > lastHeard + UInt64(patience * 1e9) else { return }
        throw GymError(.disconnected, "every worker process has exited and no worker has been heard from for \(Int(patience)) s")
    }

    /// Waits up to `grace` seconds for the children to exit (they were told to stop), then kills the rest.
    public func stop(grace: Double = 10) {
        let deadline = Date().addingTimeInterval(grace)
        while processes.contains(where: \.isRunning), Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        for process in processes where process.isRunning {
            logger.warning("worker pid \(process.processIdentifier) did not stop in \(grace) s: killing it")
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// The path of the running executable, for starting children of the same build. When the
    /// file was replaced or removed since this process started (a rebuild during a long run), the
    /// kernel's link names a path ending in " (deleted)"; `/proc/self/exe` itself still opens the
    /// running image, so children start from that.
    public static var currentExecutable: URL {
        #if os(Linux)
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            if path.hasSuffix(" (deleted)") || !FileManager.default.isExecutableFile(atPath: path) {
                return URL(fileURLWithPath: "/proc/self/exe")
            }
            return URL(fileURLWithPath: path)
        }
        #endif
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    }

    deinit { stop(grace: 0) }
}
