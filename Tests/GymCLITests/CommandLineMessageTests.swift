import Foundation
import GymTestSupport
import Testing

/// What the CLI says when a command goes wrong: the mistake named, no usage banner for a
/// failure that is not a usage error, and a hint when nothing answers at a TCP address.
@Suite struct CommandLineMessageTests {
    @Test func anUnknownAlgorithmIsNamed() throws {
        let run = try gym(["train", "dqm", "--env", "CartPole-v1"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("unknown algorithm dqm") && run.stderr.contains("dqn"), "\(run.stderr)")
        #expect(!run.stderr.contains("Unknown option"))
    }

    @Test func aServeThatCannotBindFailsWithoutTheUsageBanner() throws {
        let run = try gym(["serve", "--bind", "tcp://256.1.1.1:1"])
        #expect(run.status == 1, "\(run.status): \(run.stderr)")
        #expect(run.stderr.contains("could not serve on tcp://256.1.1.1:1"), "\(run.stderr)")
        #expect(!run.stderr.contains("USAGE") && !run.stdout.contains("USAGE"))
    }

    @Test func aTimeoutAtATCPAddressSaysNothingAnsweredThere() throws {
        let port = freePort()
        let run = try gym(["envs", "--server", "tcp://127.0.0.1:\(port)", "--timeout", "0.3"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("nothing has answered at tcp://127.0.0.1:\(port)") && run.stderr.contains("--bind"), "\(run.stderr)")
    }

    @Test func noSpawnOnLoopbackWarnsThatRemoteWorkersCannotReachIt() throws {
        let learner = Process()
        learner.executableURL = gymBinary
        learner.arguments = ["train", "a3c", "--env", "CartPole-v1", "--no-spawn", "--total-steps", "100000"]
        let err = Pipe()
        learner.standardError = err
        learner.standardOutput = FileHandle.nullDevice
        try learner.run()
        defer {
            if learner.isRunning { kill(learner.processIdentifier, SIGKILL) }
            learner.waitUntilExit()
        }
        var text = ""
        let deadline = Date().addingTimeInterval(30)
        err.fileHandleForReading.readabilityHandler = nil
        let handle = err.fileHandleForReading
        let flags = fcntl(handle.fileDescriptor, F_GETFL)
        _ = fcntl(handle.fileDescriptor, F_SETFL, flags | O_NONBLOCK)
        while !text.contains("cannot reach it") && Date() < deadline && learner.isRunning {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = read(handle.fileDescriptor, &buffer, buffer.count)
            if count > 0 { text += String(decoding: buffer[..<count], as: UTF8.self) } else { usleep(50_000) }
        }
        #expect(text.contains("workers on other machines cannot reach it"), "\(text)")
    }
}
