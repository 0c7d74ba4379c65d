import Foundation
import GymTestSupport
import Testing

@Suite struct BenchCLITests {
    @Test func benchAgainstAServerLeavesNoHandleOpenThere() throws {
        let endpoint = "tcp://127.0.0.1:\(freePort())"
        let (serve, logs) = try startServe(["--bind", endpoint, "--log-level", "info"])
        defer { if serve.isRunning { serve.terminate() } }
        #expect(try waitForEnvs(endpoint) != nil)
        let bench = try gym(["bench", "--server", endpoint, "--repeats", "1", "--seconds", "0.05", "--batch-sizes", "1,4", "--json"])
        #expect(bench.status == 0, "\(bench.stderr)")
        let result = json(bench.lines.last ?? "")
        #expect((result?["vector_steps_per_s"] as? [String: Any])?["4"] as? Double ?? 0 > 0)
        serve.terminate()
        serve.waitUntilExit()
        let log = String(decoding: logs.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(log.contains(" 0 handle(s) open at exit"), "\(log.suffix(600))")
    }
}
