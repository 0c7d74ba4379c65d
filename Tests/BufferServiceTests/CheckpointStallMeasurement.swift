import Foundation
import GymClient
import GymCore
import Testing
@testable import BufferService

/// How long a client's samples stall while a checkpoint of a large table is written: a
/// measurement, not a test (it asserts nothing about time), run on demand with
/// `GYM_MEASURE_CHECKPOINT_STALL=MB swift test --filter CheckpointStallMeasurement`.
@Suite struct CheckpointStallMeasurement {
    static let megabytes = Int(ProcessInfo.processInfo.environment["GYM_MEASURE_CHECKPOINT_STALL"] ?? "") ?? 0

    @Test(.enabled(if: megabytes > 0))
    func longestSampleStallWhileCheckpointing() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("buffer-stall-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let itemFloats = 1024  // 4 KiB items
        let items = Self.megabytes * 256
        let service = try BufferService(tables: [config("big,max-size=\(items)")], checkpoints: try CheckpointStore(directory: directory, keep: 2))
        let server = BufferServer(bind: "tcp://127.0.0.1:*", service: service, checkpointInterval: 1)
        try server.start()
        defer { server.shutdown() }
        let client = try BufferClient(endpoint: server.endpoint, timeout: 60)
        let chunk = 1024
        for start in stride(from: 0, to: items, by: chunk) {
            let observations = NDArray(dtype: .float32, shape: [chunk, itemFloats], values: (0..<(chunk * itemFloats)).map { Double(($0 + start) % 97) })
            _ = try client.insert(table: "big", columns: [TensorColumn("obs", observations)])
        }
        func longestStall(seconds: Double, during: () throws -> Void = {}) throws -> (longest: Double, median: Double) {
            var latencies: [Double] = []
            let end = Date().addingTimeInterval(seconds)
            try during()
            while Date() < end {
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try client.sample(table: "big", batchSize: 1)
                latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            latencies.sort()
            return (latencies.last ?? 0, latencies[latencies.count / 2])
        }
        // Periodic checkpoints (every second, written off the serving thread) while sampling.
        let periodic = try longestStall(seconds: 4.5)
        // An explicit Checkpoint request from a second client is answered once written.
        let other = try BufferClient(endpoint: server.endpoint, timeout: 60)
        let started = Date()
        _ = try other.checkpoint()
        let explicit = Date().timeIntervalSince(started)
        print(String(format: "checkpoint stall, %d MB table: periodic checkpoints: longest sample %.1f ms (median %.2f ms); an explicit Checkpoint request took %.0f ms",
                     Self.megabytes, periodic.longest * 1000, periodic.median * 1000, explicit * 1000))
    }
}
