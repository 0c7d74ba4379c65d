// A libFuzzer harness for the buffer's checkpoint restore (issue 13, item 6): each input is up
// to 64 length-prefixed frames (FuzzFrames), written as the table files of one checkpoint
// directory, which a fresh BufferService restores as `gym buffer --checkpoint` does at start;
// every table it restores is then sampled, inserted into and checkpointed again, so a
// restore that let garbage through shows as a trap or a bad read under AddressSanitizer.
import BufferService
import Foundation
import FuzzSupport
import GymCore
import GymProtocol
import Logging

let limits = BufferLimits(maxTableBytes: 64 << 20, maxTables: 8, maxSampleBatch: 1024, maxReplyBytes: 16 << 20)
let silent = Logger(label: "fuzz.checkpoint") { _ in SwiftLogNoOpLogHandler() }
/// This process's scratch directory (a fresh name per process, so parallel runs never share one).
let scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("fuzz-checkpoint-\(getpid())", isDirectory: true)

func runCheckpointInput(_ bytes: [UInt8]) {
    try? FileManager.default.removeItem(at: scratch)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let checkpoint = scratch.appendingPathComponent("checkpoint-00000000000000000001-000001", isDirectory: true)
    guard (try? FileManager.default.createDirectory(at: checkpoint, withIntermediateDirectories: true)) != nil else { return }
    var frames = FuzzFrames.split(bytes)
    // A first frame that reads as a manifest is the checkpoint's own (to fuzz its parser);
    // otherwise the harness writes a true one, so the tables reach the restore behind it.
    let manifest = frames.first.flatMap { $0.starts(with: Array("gym-buffer-checkpoint".utf8)) ? $0 : nil }
    if manifest != nil { frames.removeFirst() }
    for (index, frame) in frames.enumerated() {
        FileManager.default.createFile(atPath: checkpoint.appendingPathComponent(String(format: "table-%04d.pb", index)).path, contents: Data(frame))
    }
    if let manifest {
        FileManager.default.createFile(atPath: checkpoint.appendingPathComponent("MANIFEST").path, contents: Data(manifest))
    } else {
        try? CheckpointStore.seal(checkpoint)
    }
    guard let store = try? CheckpointStore(directory: scratch),
          let service = try? BufferService(tables: [], checkpoints: store, seed: 1, limits: limits, logger: silent) else { return }
    for name in service.tableNames {
        guard let info = service.info(name) else { continue }
        _ = service.handle(.with { $0.id = 1; $0.sample = .with { $0.table = name; $0.batchSize = UInt32(min(info.size, 64)) } })
        _ = service.handle(.with { $0.id = 2; $0.updatePriorities = .with { $0.table = name; $0.keys = [info.nextKey &- 1]; $0.priorities = [2] } })
        if let saved = service.tableCheckpoint(name), let columns = Optional(saved.columns), !columns.isEmpty, info.size > 0 {
            // Insert the first restored item again: columns of one item each.
            let one = columns.map { column in
                Gym_V1_Column.with {
                    $0.name = column.name
                    $0.tensor = column.tensor
                    let itemBytes = column.tensor.data.count / Int(info.size)
                    $0.tensor.shape = [1] + column.tensor.shape.dropFirst()
                    $0.tensor.data = column.tensor.data.prefix(itemBytes)
                }
            }
            _ = service.handle(.with { $0.id = 3; $0.insert = .with { $0.table = name; $0.columns = one; if !saved.priorities.isEmpty { $0.priorities = [1] } } })
        }
    }
    _ = try? service.writeCheckpoint()
}

/// Checkpoints of tables of every selector, empty and full, with a signature fixed and not.
func checkpointSeeds() throws -> [(String, [UInt8])] {
    let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("fuzz-checkpoint-seeds-\(getpid())", isDirectory: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    func config(_ name: String, _ selector: Gym_V1_Selector, maxSize: UInt64) -> Gym_V1_TableConfig {
        .with { $0.name = name; $0.selector = selector; $0.maxSize = maxSize; $0.priorityExponent = 0.6; $0.importanceExponent = 0.4 }
    }
    func insert(_ table: String, count: Int, priorities: [Double] = []) -> Gym_V1_BufferRequest {
        .with {
            $0.insert = .with {
                $0.table = table
                $0.columns = [
                    .with { $0.name = "obs"; $0.tensor = Gym_V1_Tensor(NDArray(dtype: .float32, shape: [count, 2], values: (0..<(2 * count)).map(Double.init))) },
                    .with { $0.name = "done"; $0.tensor = Gym_V1_Tensor(NDArray(dtype: .bool, shape: [count], values: (0..<count).map { Double($0 % 2) })) },
                ]
                $0.priorities = priorities
            }
        }
    }
    let store = try CheckpointStore(directory: directory, keep: 1)
    let service = try BufferService(tables: [config("u", .uniform, maxSize: 4), config("p", .prioritized, maxSize: 8),
                                             config("f", .fifo, maxSize: 8), config("empty", .uniform, maxSize: 100)],
                                    checkpoints: store, seed: 1, limits: limits, logger: silent)
    _ = service.handle(insert("u", count: 6))
    _ = service.handle(insert("p", count: 3, priorities: [1, 0.5, 4]))
    _ = service.handle(insert("f", count: 2))
    let url = try service.writeCheckpoint()
    let files = try FileManager.default.contentsOfDirectory(atPath: url.path).filter { $0.hasSuffix(".pb") }.sorted()
    let tables = try files.map { [UInt8](try Data(contentsOf: url.appendingPathComponent($0))) }
    let manifest = [UInt8](try Data(contentsOf: url.appendingPathComponent("MANIFEST")))
    return [("all-tables", FuzzFrames.join(tables)), ("with-manifest", FuzzFrames.join([manifest] + tables))] + zip(files, tables).map { ("one-\($0.0)", FuzzFrames.join([$0.1])) }
}

@main
enum CheckpointRestoreHarness {
    static func main() throws { try FuzzHarness.main(seeds: checkpointSeeds, run: runCheckpointInput) }
}
