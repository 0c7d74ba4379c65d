import Foundation
import GymCore

/// One column of a table: fixed-size items in a ring of `capacity` slots, as raw bytes.
///
/// The memory is reserved at once but the system commits pages only as slots are written,
/// so a large `max_size` costs nothing until it fills.
final class ColumnStore {
    /// The column's name.
    let name: String
    /// Element type of its items.
    let dtype: DType
    /// Shape of one item.
    let itemShape: [Int]
    /// Bytes per item.
    let itemBytes: Int
    /// Slots in the ring.
    let capacity: Int
    private let storage: UnsafeMutableRawPointer

    init(name: String, dtype: DType, itemShape: [Int], capacity: Int) {
        self.name = name
        self.dtype = dtype
        self.itemShape = itemShape
        self.itemBytes = itemShape.reduce(1, *) * dtype.byteSize
        self.capacity = capacity
        storage = .allocate(byteCount: max(1, itemBytes * capacity), alignment: 16)
    }

    deinit { storage.deallocate() }

    /// Copies `count` items from `source` (item after item) into slots starting at `slot`, wrapping.
    func write(_ source: UnsafeRawPointer, count: Int, at slot: Int) {
        var written = 0
        var slot = slot
        while written < count {
            let run = min(count - written, capacity - slot)
            storage.advanced(by: slot * itemBytes).copyMemory(from: source.advanced(by: written * itemBytes), byteCount: run * itemBytes)
            written += run
            slot = (slot + run) % capacity
        }
    }

    /// Copies slot `slot` into `target`.
    @inline(__always)
    func read(slot: Int, into target: UnsafeMutableRawPointer) {
        target.copyMemory(from: storage.advanced(by: slot * itemBytes), byteCount: itemBytes)
    }

    /// The items of `count` consecutive slots from `slot` (wrapping), item after item.
    func bytes(from slot: Int, count: Int) -> Data {
        var data = Data(count: count * itemBytes)
        data.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            var copied = 0
            var slot = slot
            while copied < count {
                let run = min(count - copied, capacity - slot)
                base.advanced(by: copied * itemBytes).copyMemory(from: storage.advanced(by: slot * itemBytes), byteCount: run * itemBytes)
                copied += run
                slot = (slot + run) % capacity
            }
        }
        return data
    }
}
