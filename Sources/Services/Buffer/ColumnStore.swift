import Foundation
import GymCore

/// One column of a table: fixed-size items in a ring of `capacity` slots, as raw bytes.
///
/// Storage grows as slots are first written (doubling, up to `capacity`), so an empty table
/// costs nothing however large its `max_size`: memory follows what clients actually inserted.
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
    /// Slots backed by memory: `0 ..< allocatedSlots`.
    private(set) var allocatedSlots = 0
    private var storage: UnsafeMutableRawPointer?

    /// A column of items of `itemBytes` bytes (the caller checked that `itemBytes * capacity`
    /// fits the table's byte limit, so no product here can overflow).
    init(name: String, dtype: DType, itemShape: [Int], itemBytes: Int, capacity: Int) {
        self.name = name
        self.dtype = dtype
        self.itemShape = itemShape
        self.itemBytes = itemBytes
        self.capacity = capacity
    }

    deinit { storage?.deallocate() }

    /// Makes sure slots `0 ..< slots` have memory, growing geometrically.
    private func reserve(_ slots: Int) {
        guard slots > allocatedSlots else { return }
        let grown = min(capacity, max(slots, 2 * allocatedSlots, 16))
        let fresh = UnsafeMutableRawPointer.allocate(byteCount: max(1, grown * itemBytes), alignment: 16)
        if let storage {
            fresh.copyMemory(from: storage, byteCount: allocatedSlots * itemBytes)
            storage.deallocate()
        }
        storage = fresh
        allocatedSlots = grown
    }

    /// Returns the column's memory (a reset table holds nothing); writes grow it again.
    func release() {
        storage?.deallocate()
        storage = nil
        allocatedSlots = 0
    }

    /// Copies `count` items from `source` (item after item) into slots starting at `slot`, wrapping.
    func write(_ source: UnsafeRawPointer, count: Int, at slot: Int) {
        guard count > 0 else { return }
        reserve(count >= capacity - slot ? capacity : slot + count)
        guard let storage else { return }
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
        // Only written (live) slots are read; an unbacked one reads as zeros rather than trapping.
        guard let storage, slot < allocatedSlots else {
            target.initializeMemory(as: UInt8.self, repeating: 0, count: itemBytes)
            return
        }
        target.copyMemory(from: storage.advanced(by: slot * itemBytes), byteCount: itemBytes)
    }

    /// The items of `count` consecutive slots from `slot` (wrapping), item after item.
    func bytes(from slot: Int, count: Int) -> Data {
        var data = Data(count: count * itemBytes)
        data.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            // At most two runs of backed slots, each one memory copy (a checkpoint copies whole
            // columns while the service waits); slots never written read as zeros.
            var copied = 0
            var slot = slot
            while copied < count {
                let run = min(count - copied, capacity - slot)
                let backed = max(0, min(run, allocatedSlots - slot))
                if let storage, backed > 0 {
                    base.advanced(by: copied * itemBytes).copyMemory(from: storage.advanced(by: slot * itemBytes), byteCount: backed * itemBytes)
                }
                copied += run
                slot = (slot + run) % capacity
            }
        }
        return data
    }
}
