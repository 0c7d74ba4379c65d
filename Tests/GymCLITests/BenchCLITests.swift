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
        // Double-buffered: both halves' handles are closed too, with their last steps received.
        let pipelined = try gym(["bench", "--server", endpoint, "--vector-only", "--pipelined", "--repeats", "1", "--seconds", "0.05",
                                 "--batch-sizes", "2,5", "--json"])
        #expect(pipelined.status == 0, "\(pipelined.stderr)")
        let doubled = json(pipelined.lines.last ?? "")
        #expect((doubled?["pipelined_steps_per_s"] as? [String: Any])?["5"] as? Double ?? 0 > 0)
        #expect((doubled?["pipelined_env_steps"] as? [String: Any])?["2"] as? Int ?? 0 >= 2)
        #expect(try gym(["bench", "--server", endpoint, "--pipelined", "--batch-sizes", "4"]).status != 0, "--pipelined needs --vector-only")
        serve.terminate()
        serve.waitUntilExit()
        let log = String(decoding: logs.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(log.contains(" 0 handle(s) open at exit"), "\(log.suffix(600))")
    }
}
