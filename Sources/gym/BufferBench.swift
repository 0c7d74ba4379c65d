import ArgumentParser
import BufferService
import Dispatch
import Foundation
import GymClient
import GymCore
import GymProtocol
import Logging

/// `gym buffer bench`: inserts and samples per second through a buffer service over tcp.
struct BufferBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure a buffer service's insert and sample throughput with CartPole-sized transitions.",
        discussion: """
        Items are CartPole transitions: obs float32[4], action int64, reward float32, next_obs \
        float32[4], terminated bool (45 bytes). inserts_per_s: items per second inserted in \
        batches of --insert-batch; sample_batches_per_s: batches of --sample-batch per second. \
        Each is measured on a uniform and a prioritized table (priorities sent with every insert), \
        with up to --in-flight requests outstanding from one client. Medians over --repeats runs. \
        Without --buffer, a service starts in this process on tcp loopback.
        """)

    @Option(help: ArgumentHelp("Buffer service to measure (its tables bench-uniform and bench-prioritized are reset).", valueName: "addr"))
    var buffer: String?

    @Option(help: "Items per insert request.")
    var insertBatch = 256

    @Option(help: "Items per sample request.")
    var sampleBatch = 64

    @Option(help: "Requests a client keeps outstanding (1: wait for each reply before the next request).")
    var inFlight = 8

    @Option(help: "Table size; inserts wrap around once it is full.")
    var maxSize = 1_000_000

    @Option(help: "Runs of each measurement; medians are reported.")
    var repeats = 3

    @Option(help: "Seconds each run lasts.")
    var seconds = 1.0

    @Flag(help: "Print one JSON object as the last line of stdout.")
    var json = false

    @OptionGroup var security: SecurityOptions

    func validate() throws {
        guard insertBatch >= 1, sampleBatch >= 1, inFlight >= 1, maxSize >= sampleBatch else {
            throw ValidationError("batch sizes and --in-flight must be at least 1, --max-size at least --sample-batch")
        }
        guard repeats >= 1, seconds > 0 else { throw ValidationError("--repeats must be at least 1 and --seconds positive") }
    }

    func run() throws {
        LogSetup.bootstrap(level: .warning)
        try security.install()
        var local: BufferServer?
        let endpoint: String
        if let buffer {
            endpoint = buffer
        } else {
            let server = BufferServer(bind: "tcp://127.0.0.1:*", service: try BufferService(tables: []))
            try server.start()
            local = server
            endpoint = server.endpoint
        }
        defer { local?.shutdown() }
        let client = try BufferClient(endpoint: endpoint, timeout: 30, clientName: "gym buffer bench")
        var results: [(String, JSONText)] = [("buffer", .string(buffer ?? "embedded tcp loopback")),
                                              ("insert_batch", .int(Int64(insertBatch))), ("sample_batch", .int(Int64(sampleBatch))),
                                              ("in_flight", .int(Int64(inFlight))), ("repeats", .int(Int64(repeats)))]
        var random = SystemRandomNumberGenerator()
        for selector in [TableConfig.Selector.uniform, .prioritized] {
            let name = selector == .uniform ? "uniform" : "prioritized"
            let table = "bench-\(name)"
            try client.createTable(TableConfig(name: table, selector: selector, maxSize: maxSize, priorityExponent: 0.6, importanceExponent: 0.4))
            try client.reset(table: table)
            let columns = Self.cartPoleColumns(count: insertBatch, random: &random)
            let priorities = selector == .prioritized ? (0..<insertBatch).map { _ in Double.random(in: 0.1...10, using: &random) } : []
            var inserts: [Double] = [], samples: [Double] = []
            for _ in 0..<repeats {
                let inserted = try pipelined { try client.sendInsert(table: table, columns: columns, priorities: priorities) }
                    receive: { _ = try client.receiveInsert($0) }
                inserts.append(inserted * Double(insertBatch))
                let sampled = try pipelined { try client.sendSample(table: table, batchSize: sampleBatch) }
                    receive: { _ = try client.receiveSample($0) }
                samples.append(sampled)
            }
            let insertRate = Self.median(inserts), sampleRate = Self.median(samples)
            results.append(("inserts_per_s_\(name)", .double(insertRate.rounded())))
            results.append(("sample_batches_per_s_\(name)", .double(sampleRate.rounded())))
            if !json {
                print(String(format: "%@: %.0f items/s inserted in batches of %d, %.0f batches of %d sampled/s (in flight %d)",
                             name, insertRate, insertBatch, sampleRate, sampleBatch, inFlight))
            }
        }
        if json { print(JSONText.object(results).rendered) }
    }

    /// Requests per second over `seconds`, keeping `inFlight` outstanding.
    private func pipelined(send: () throws -> UInt64, receive: (UInt64) throws -> Void) throws -> Double {
        var pending: [UInt64] = []
        pending.reserveCapacity(inFlight)
        var done = 0
        let start = DispatchTime.now().uptimeNanoseconds
        let end = start + UInt64(seconds * 1e9)
        while DispatchTime.now().uptimeNanoseconds < end {
            while pending.count < inFlight { pending.append(try send()) }
            try receive(pending.removeFirst())
            done += 1
        }
        for id in pending { try receive(id) }
        done += pending.count
        return Double(done) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    /// A batch of random CartPole-shaped transitions.
    static func cartPoleColumns(count: Int, random: inout SystemRandomNumberGenerator) -> [TensorColumn] {
        func floats(_ n: Int) -> NDArray {
            NDArray(dtype: .float32, shape: n == count ? [count] : [count, n / count],
                    values: (0..<n).map { _ in Double(Float.random(in: -1...1, using: &random)) })
        }
        return [
            TensorColumn("obs", floats(count * 4)),
            TensorColumn("action", NDArray(dtype: .int64, shape: [count], values: (0..<count).map { _ in Double(Int.random(in: 0...1, using: &random)) })),
            TensorColumn("reward", floats(count)),
            TensorColumn("next_obs", floats(count * 4)),
            TensorColumn("terminated", NDArray(dtype: .bool, shape: [count], values: (0..<count).map { _ in Double.random(in: 0...1, using: &random) < 0.05 ? 1 : 0 })),
        ]
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }
}
