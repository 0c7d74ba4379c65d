// A libFuzzer harness for the replay-buffer service's request handling without sockets
// (issue 13, item 6): each input is up to 64 length-prefixed BufferRequest frames (FuzzFrames)
// handled in turn by one fresh BufferService holding a uniform and a prioritized table with
// items, so a request can meet the state earlier ones left.
import BufferService
import Foundation
import FuzzSupport
import GymCore
import GymProtocol
import Logging

/// Limits a fuzzing process can hold (the service checks them the same way at any size).
let limits = BufferLimits(maxTableBytes: 64 << 20, maxTables: 8, maxSampleBatch: 4096, maxReplyBytes: 16 << 20)

func column(_ name: String, _ array: NDArray) -> Gym_V1_Column {
    .with { $0.name = name; $0.tensor = Gym_V1_Tensor(array) }
}

/// An insert of `count` transitions of a 3-float observation and an int64 action.
func insert(_ table: String, count: Int, priorities: [Double] = []) -> Gym_V1_BufferRequest.OneOf_Body {
    .insert(.with {
        $0.table = table
        $0.columns = [
            column("obs", NDArray(dtype: .float32, shape: [count, 3], values: (0..<(3 * count)).map(Double.init))),
            column("action", NDArray(dtype: .int64, shape: [count], values: (0..<count).map { Double($0 % 2) })),
        ]
        $0.priorities = priorities
    })
}

func config(_ name: String, _ selector: Gym_V1_Selector, maxSize: UInt64 = 16) -> Gym_V1_TableConfig {
    .with {
        $0.name = name
        $0.selector = selector
        $0.maxSize = maxSize
        $0.priorityExponent = 0.6
        $0.importanceExponent = 0.4
        $0.rateLimiter = .with { $0.minSizeToSample = 1 }
    }
}

let silent = Logger(label: "fuzz.buffer") { _ in SwiftLogNoOpLogHandler() }

func runBufferInput(_ bytes: [UInt8]) {
    guard let service = try? BufferService(tables: [config("u", .uniform), config("p", .prioritized)], seed: 1,
                                           limits: limits, logger: silent) else { return }
    _ = service.handle(.with { $0.id = 1; $0.body = insert("u", count: 4) })
    _ = service.handle(.with { $0.id = 2; $0.body = insert("p", count: 4, priorities: [1, 2, 3, 4]) })
    for frame in FuzzFrames.split(bytes) {
        guard let request = try? Gym_V1_BufferRequest(serializedBytes: frame) else { continue }
        switch service.handle(request) {
        case .reply(let response):
            _ = try? response.serializedBytes() as [UInt8]
        case .wait:
            // A parked call is asked again once, as the server does after the table changes,
            // then given up on as its timeout would.
            if case .wait = service.handle(request, retry: true) { _ = service.timedOut(request) }
        }
    }
}

func bufferSeeds() throws -> [(String, [UInt8])] {
    func request(_ body: Gym_V1_BufferRequest.OneOf_Body) throws -> [UInt8] {
        try Gym_V1_BufferRequest.with { $0.id = 9; $0.body = body }.serializedBytes()
    }
    let bodies: [(String, [Gym_V1_BufferRequest.OneOf_Body])] = [
        ("hello", [.hello(.with { $0.protocolVersion = gymProtocolVersion })]),
        ("create-fifo", [.createTable(.with { $0.config = config("f", .fifo, maxSize: 8) }), insert("f", count: 3),
                         .sample(.with { $0.table = "f"; $0.batchSize = 2 })]),
        ("create-signature", [.createTable(.with {
            $0.config = config("s", .uniform)
            $0.config.signature = [.with { $0.name = "obs"; $0.dtype = .float32; $0.shape = [3] }, .with { $0.name = "action"; $0.dtype = .int64 }]
        }), insert("s", count: 2)]),
        ("insert", [insert("u", count: 2)]),
        ("insert-priorities", [insert("p", count: 2, priorities: [0.5, 7])]),
        ("sample", [.sample(.with { $0.table = "u"; $0.batchSize = 3 })]),
        ("sample-importance", [.sample(.with { $0.table = "p"; $0.batchSize = 5; $0.importanceExponent = 0.5 })]),
        ("update-priorities", [.updatePriorities(.with { $0.table = "p"; $0.keys = [0, 1, 99]; $0.priorities = [0.1, 9, 2] })]),
        ("info", [.info(.with { $0.table = "p" }), .info(.init())]),
        ("reset", [.reset(.with { $0.table = "u" }), .sample(.with { $0.table = "u"; $0.batchSize = 1 })]),
        ("checkpoint", [.checkpoint(.init())]),
    ]
    return try bodies.map { name, requests in (name, FuzzFrames.join(try requests.map(request))) }
}

@main
enum BufferHandlerHarness {
    static func main() throws { try FuzzHarness.main(seeds: bufferSeeds, run: runBufferInput) }
}
