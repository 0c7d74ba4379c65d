import Foundation
import GymCore
import GymProtocol

/// One named table of a replay-buffer service: items stored column-wise in a ring, picked by
/// a selector (uniform, prioritized or FIFO), gated by a rate limiter.
///
/// Keys grow by one per inserted item and are never reused, so an item's slot is its key
/// modulo the capacity and the live items are the keys `firstKey ..< nextKey`: eviction and
/// FIFO removal both drop the oldest item. Owned by the service's socket thread; no locks.
final class ReplayTable {
    /// The settings it was created with.
    let config: Gym_V1_TableConfig
    /// Most items held.
    let capacity: Int
    /// The rate limiter.
    let limit: RateLimit
    private(set) var columns: [ColumnStore] = []
    private var firstKey: UInt64 = 0
    private var nextKey: UInt64 = 0
    private var tree: SumTree?
    private var rawPriorities: [Double] = []
    private var maxPriority = 1.0
    private var random: PCG64

    /// Items ever inserted since creation or reset.
    private(set) var inserts = 0
    /// Items ever sampled since creation or reset.
    private(set) var samples = 0
    private var evictions = 0
    /// Calls that had to wait for the rate limiter, and calls that waited too long.
    var sampleWaits = 0, insertWaits = 0, timeouts = 0

    /// The largest table a service accepts.
    static let maxCapacity = 1 << 31
    /// Longest table or column name, in UTF-8 bytes.
    static let maxNameBytes = 256
    /// Most columns an item may have.
    static let maxColumns = 256
    /// Largest priority accepted: with exponents up to `maxExponent`, sums and weights stay finite.
    static let maxPriority = 1e10
    /// Priority and importance exponents lie in `0...maxExponent`.
    static let maxExponent = 10.0
    /// Leaves of a prioritized table's sum tree before its first insert.
    private static let initialTreeLeaves = 64

    /// Most bytes the table may come to hold when full (`--max-table-bytes`).
    let maxBytes: Int

    /// A table for `config`, checked; it may hold at most `maxBytes` when full.
    init(config: Gym_V1_TableConfig, seed: UInt64 = 0, maxBytes: Int = BufferLimits().maxTableBytes) throws {
        guard !config.name.isEmpty, config.name.utf8.count <= Self.maxNameBytes else {
            throw GymError(.invalidArgument, "a table needs a name of 1...\(Self.maxNameBytes) bytes")
        }
        guard config.maxSize >= 1, config.maxSize <= UInt64(Self.maxCapacity) else {
            throw GymError(.invalidArgument, "table \(config.name): max_size must be in 1...\(Self.maxCapacity), not \(config.maxSize)")
        }
        guard Self.isExponent(config.priorityExponent), Self.isExponent(config.importanceExponent) else {
            throw GymError(.invalidArgument, "table \(config.name): priority and importance exponents must be in [0, \(Self.maxExponent)]")
        }
        let limiter = config.rateLimiter
        guard limiter.samplesPerInsert.isFinite, limiter.samplesPerInsert >= 0, limiter.errorBuffer.isFinite, limiter.errorBuffer >= 0 else {
            throw GymError(.invalidArgument, "table \(config.name): samples_per_insert and error_buffer must be finite and non-negative")
        }
        if case .UNRECOGNIZED(let value) = config.selector {
            throw GymError(.invalidArgument, "table \(config.name): unknown selector \(value)")
        }
        self.config = config
        capacity = Int(config.maxSize)
        self.maxBytes = maxBytes
        limit = RateLimit(limiter)
        random = PCG64(seedSequence: SeedSequence(entropy: seed))
        if config.selector == .prioritized {
            // Priorities alone must fit the byte limit, whatever the columns.
            _ = try itemBudget(columnBytes: 0)
            tree = SumTree(capacity: min(capacity, Self.initialTreeLeaves))
        }
        if !config.signature.isEmpty { columns = try stores(for: config.signature) }
    }

    /// Whether `exponent` is a priority or importance exponent this service accepts.
    static func isExponent(_ exponent: Double) -> Bool { exponent.isFinite && exponent >= 0 && exponent <= maxExponent }

    /// Bytes the full table needs for items of `columnBytes` (plus priorities when prioritized),
    /// checked against `maxBytes` without overflow.
    private func itemBudget(columnBytes: Int) throws -> Int {
        let (items, overflowA) = columnBytes.multipliedReportingOverflow(by: capacity)
        // A prioritized table also keeps a raw priority per slot and its sum tree, in doubles.
        let priorityDoubles = config.selector == .prioritized ? capacity + SumTree.nodeCount(capacity: capacity) : 0
        let (total, overflowB) = items.addingReportingOverflow(8 * priorityDoubles)
        guard !overflowA, !overflowB, total <= maxBytes else {
            let what = columnBytes > 0 ? "\(capacity) items of \(columnBytes) bytes" : "the priorities of \(capacity) items"
            throw GymError(.quotaExceeded, "table \(config.name): \(what) would exceed this service's --max-table-bytes of \(maxBytes)")
        }
        return total
    }

    /// Items held now.
    var size: Int { Int(nextKey - firstKey) }

    /// Leaves the sum tree has room for now (0 unless prioritized); it grows with the items.
    var treeLeaves: Int { tree?.capacity ?? 0 }

    /// Bytes of one item over all columns (0 before the signature is fixed); within `maxBytes`.
    var itemBytes: Int { columns.reduce(0) { $0 + $1.itemBytes } }

    private func slot(_ key: UInt64) -> Int { Int(key % UInt64(capacity)) }

    /// The columns of a signature, checked (names, dtypes, shapes, and the full table against
    /// `maxBytes`, all overflow-safe); allocates nothing, so a rejected signature costs nothing.
    private func stores(for specs: [Gym_V1_ColumnSpec]) throws -> [ColumnStore] {
        guard specs.count <= Self.maxColumns else {
            throw GymError(.invalidArgument, "table \(config.name): an item has at most \(Self.maxColumns) columns, not \(specs.count)")
        }
        var seen = Set<String>()
        var stores: [ColumnStore] = []
        var columnBytes = 0
        for spec in specs {
            guard !spec.name.isEmpty, spec.name.utf8.count <= Self.maxNameBytes, seen.insert(spec.name).inserted else {
                throw GymError(.invalidArgument, "table \(config.name): column names must be distinct and of 1...\(Self.maxNameBytes) bytes")
            }
            guard let dtype = DType(wire: spec.dtype) else {
                throw GymError(.invalidArgument, "table \(config.name): column \(spec.name) has no known dtype")
            }
            let (shape, bytes): ([Int], Int)
            do {
                (shape, bytes) = try TensorLimits.bufferColumn.checkedShape(spec.shape, byteSize: dtype.byteSize, what: "column \(spec.name)")
            } catch let error as GymError {
                throw GymError(.invalidArgument, "table \(config.name): \(error.message)")
            }
            let (sum, overflow) = columnBytes.addingReportingOverflow(bytes)
            guard !overflow else { throw GymError(.invalidArgument, "table \(config.name): an item is too large") }
            columnBytes = sum
            stores.append(ColumnStore(name: spec.name, dtype: dtype, itemShape: shape, itemBytes: bytes, capacity: capacity))
        }
        guard !stores.isEmpty else { throw GymError(.invalidArgument, "table \(config.name): an item needs at least one column") }
        _ = try itemBudget(columnBytes: columnBytes)
        return stores
    }

    // MARK: Rate limiting

    /// Whether an insert may go ahead now.
    var allowsInsert: Bool { limit.allowsInsert(inserts: inserts, samples: samples) }

    /// Whether a sample of `batchSize` may go ahead now (a FIFO table needs the whole batch).
    func allowsSample(batchSize: Int) -> Bool {
        if config.selector == .fifo, size < batchSize { return false }
        return limit.allowsSample(size: size, inserts: inserts, samples: samples)
    }

    // MARK: Calls

    /// The signature a first insert would fix.
    private func signature(of request: Gym_V1_Insert) -> [Gym_V1_ColumnSpec] {
        request.columns.map { column in
            .with { $0.name = column.name; $0.dtype = column.tensor.dtype; $0.shape = Array(column.tensor.shape.dropFirst()) }
        }
    }

    /// Checks an insert's columns and priorities without changing anything (a first insert's
    /// signature is fixed only when it is applied); returns the batch size.
    func validate(_ request: Gym_V1_Insert) throws -> Int {
        guard let first = request.columns.first else { throw GymError(.invalidArgument, "insert into \(config.name) has no columns") }
        // The one wire-tensor check first: no product below can overflow after it.
        for column in request.columns {
            _ = try TensorLimits.bufferColumn.check(column.tensor, what: "insert into \(config.name): column \(column.name.clippedForEcho())")
        }
        let count = Int(first.tensor.shape.first ?? -1)
        guard count >= 1 else { throw GymError(.invalidArgument, "insert into \(config.name): columns need a leading batch dimension of at least 1") }
        let columns = self.columns.isEmpty ? try stores(for: signature(of: request)) : self.columns
        guard request.columns.count == columns.count else {
            throw GymError(.invalidArgument, "insert into \(config.name) has \(request.columns.count) column(s), the table has \(columns.count): \(signatureText)")
        }
        for column in request.columns {
            guard let store = columns.first(where: { $0.name == column.name }) else {
                throw GymError(.invalidArgument, "insert into \(config.name): no column \(column.name.clippedForEcho()) in \(signatureText)")
            }
            let shape = column.tensor.shape
            guard DType(wire: column.tensor.dtype) == store.dtype, shape.count == store.itemShape.count + 1,
                  zip(shape.dropFirst(), store.itemShape).allSatisfy({ Int($0) == $1 }) else {
                throw GymError(.invalidArgument, "insert into \(config.name): column \(column.name) is \(column.tensor.dtype) \(shape), want \(store.dtype) [batch] + \(store.itemShape)")
            }
            guard Int(shape[0]) == count else {
                throw GymError(.invalidArgument, "insert into \(config.name): column \(column.name) has \(shape[0]) item(s), \(first.name) has \(count)")
            }
            guard column.tensor.data.count == count * store.itemBytes else {
                throw GymError(.malformed, "insert into \(config.name): column \(column.name) needs \(count * store.itemBytes) bytes, has \(column.tensor.data.count)")
            }
        }
        guard request.priorities.isEmpty || request.priorities.count == count else {
            throw GymError(.invalidArgument, "insert into \(config.name): \(request.priorities.count) priorities for \(count) item(s)")
        }
        guard request.priorities.allSatisfy(Self.isPriority) else {
            throw GymError(.invalidArgument, "insert into \(config.name): priorities must be in [0, \(Self.maxPriority)]")
        }
        return count
    }

    /// Whether `priority` is one this service accepts.
    static func isPriority(_ priority: Double) -> Bool { priority.isFinite && priority >= 0 && priority <= maxPriority }

    /// Appends a validated batch, evicting the oldest items when full; the first insert fixes the signature.
    func insert(_ request: Gym_V1_Insert, count: Int) throws -> Gym_V1_InsertReply {
        if columns.isEmpty { columns = try stores(for: signature(of: request)) }
        let start = nextKey
        // Only the newest `capacity` items of an oversized batch can be kept.
        let skipped = max(0, count - capacity)
        let kept = count - skipped
        nextKey = start + UInt64(count)
        let newFirst = max(firstKey, nextKey - UInt64(min(capacity, Int(nextKey - firstKey))))
        evictions += Int(newFirst - firstKey)
        firstKey = newFirst
        let firstSlot = slot(start + UInt64(skipped))
        for column in request.columns {
            guard let store = columns.first(where: { $0.name == column.name }) else { continue }
            column.tensor.data.withUnsafeBytes { raw in
                guard let base = raw.baseAddress else { return }
                store.write(base.advanced(by: skipped * store.itemBytes), count: kept, at: firstSlot)
            }
        }
        if tree != nil {
            for index in skipped..<count {
                let priority = request.priorities.isEmpty ? maxPriority : request.priorities[index]
                setPriority(slot(start + UInt64(index)), priority)
            }
        }
        inserts += count
        return .with { $0.firstKey = start; $0.count = UInt32(count); $0.tableSize = UInt64(size) }
    }

    private func setPriority(_ slot: Int, _ priority: Double) {
        growPriorities(toCover: slot)
        rawPriorities[slot] = priority
        maxPriority = max(maxPriority, priority)
        tree?.set(slot, pow(priority, config.priorityExponent))
    }

    /// Gives the priorities and the sum tree room for `slot`, doubling, so memory follows the
    /// items inserted rather than `max_size`. A larger tree with the same leaves has the same
    /// total and walks to the same leaves (the extra levels only add zeros), so sampling is
    /// unchanged by when it grew.
    private func growPriorities(toCover slot: Int) {
        guard slot >= rawPriorities.count else { return }
        let count = min(capacity, max(slot + 1, 2 * rawPriorities.count, Self.initialTreeLeaves))
        rawPriorities.append(contentsOf: repeatElement(0, count: count - rawPriorities.count))
        guard let old = tree, old.capacity < count else { return }
        var grown = SumTree(capacity: count)
        for leaf in 0..<old.capacity where old[leaf] != 0 { grown.set(leaf, old[leaf]) }
        tree = grown
    }

    /// Draws `batchSize` items (the rate limiter has allowed it).
    func sample(batchSize: Int, importanceExponent: Double?) -> Gym_V1_SampleReply {
        var keys = [UInt64](repeating: 0, count: batchSize)
        var probabilities = [Double](repeating: 0, count: batchSize)
        var weights: [Double] = []
        let count = size
        switch config.selector {
        case .fifo:
            for row in 0..<batchSize { keys[row] = firstKey + UInt64(row) }
            probabilities = Array(repeating: 1, count: batchSize)
        case .prioritized where (tree?.total ?? 0) > 0:
            guard let tree else { break }
            let total = tree.total
            let beta = importanceExponent ?? config.importanceExponent
            let firstSlot = slot(firstKey)
            weights = Array(repeating: 1, count: batchSize)
            var largest = 0.0
            // Only live slots have mass: evicted and reset ones were zeroed or overwritten.
            let leaves = tree.find((0..<batchSize).map { _ in random.nextDouble() * total })
            for (row, leaf) in leaves.enumerated() {
                let offset = (leaf - firstSlot + capacity) % capacity
                keys[row] = firstKey + UInt64(min(offset, count - 1))
                let probability = tree[slot(keys[row])] / total
                probabilities[row] = probability
                weights[row] = pow(Double(count) * probability, -beta)
                largest = max(largest, weights[row])
            }
            if largest > 0, largest.isFinite { for row in 0..<batchSize { weights[row] /= largest } }
        default:
            for row in 0..<batchSize { keys[row] = firstKey + UInt64(Self.below(count, &random)) }
            probabilities = Array(repeating: 1 / Double(count), count: batchSize)
        }
        let slots = keys.map(slot)
        let reply = Gym_V1_SampleReply.with { reply in
            reply.columns = columns.map { store in
                var data = Data(count: batchSize * store.itemBytes)
                data.withUnsafeMutableBytes { raw in
                    guard let base = raw.baseAddress else { return }
                    for (row, slot) in slots.enumerated() { store.read(slot: slot, into: base.advanced(by: row * store.itemBytes)) }
                }
                return .with {
                    $0.name = store.name
                    $0.tensor = .with { $0.dtype = store.dtype.wire; $0.shape = [Int64(batchSize)] + store.itemShape.map(Int64.init); $0.data = data }
                }
            }
            reply.keys = keys
            reply.probabilities = probabilities
            reply.weights = weights
            reply.tableSize = UInt64(count)
        }
        if config.selector == .fifo { removeOldest(batchSize) }
        samples += batchSize
        return reply
    }

    private static func below(_ bound: Int, _ random: inout PCG64) -> Int {
        Int(random.nextUInt64() % UInt64(bound))
    }

    private func removeOldest(_ count: Int) {
        if tree != nil { for key in firstKey..<(firstKey + UInt64(count)) { tree?.set(slot(key), 0) } }
        firstKey += UInt64(count)
    }

    /// Sets new priorities; keys no longer held are counted as missing.
    func updatePriorities(_ request: Gym_V1_UpdatePriorities) throws -> Gym_V1_UpdatePrioritiesReply {
        guard request.keys.count == request.priorities.count else {
            throw GymError(.invalidArgument, "update of \(config.name): \(request.keys.count) keys but \(request.priorities.count) priorities")
        }
        guard request.priorities.allSatisfy(Self.isPriority) else {
            throw GymError(.invalidArgument, "update of \(config.name): priorities must be in [0, \(Self.maxPriority)]")
        }
        guard tree != nil else {
            throw GymError(.notSupported, "table \(config.name) is \(config.selector): only prioritized tables have priorities")
        }
        var updated = 0
        for (key, priority) in zip(request.keys, request.priorities) where key >= firstKey && key < nextKey {
            setPriority(slot(key), priority)
            updated += 1
        }
        return .with { $0.updated = UInt32(updated); $0.missing = UInt32(request.keys.count - updated) }
    }

    /// Drops every item, returns their memory and restarts the counters; keys keep growing.
    func reset() {
        for column in columns { column.release() }
        if tree != nil {
            tree = SumTree(capacity: min(capacity, Self.initialTreeLeaves))
            rawPriorities = []
        }
        firstKey = nextKey
        maxPriority = 1
        inserts = 0
        samples = 0
        evictions = 0
        sampleWaits = 0
        insertWaits = 0
        timeouts = 0
    }

    // MARK: Description and checkpoints

    private var signatureText: String {
        columns.map { "\($0.name): \($0.dtype) \($0.itemShape)" }.joined(separator: ", ")
    }

    /// What the table holds and has done.
    var info: Gym_V1_TableInfo {
        .with {
            $0.config = config
            $0.columns = columns.map { store in .with { $0.name = store.name; $0.dtype = store.dtype.wire; $0.shape = store.itemShape.map(Int64.init) } }
            $0.size = UInt64(size)
            $0.inserts = UInt64(inserts)
            $0.samples = UInt64(samples)
            $0.evictions = UInt64(evictions)
            $0.sampleWaits = UInt64(sampleWaits)
            $0.insertWaits = UInt64(insertWaits)
            $0.timeouts = UInt64(timeouts)
            $0.nextKey = nextKey
        }
    }

    /// Every item, oldest first, with the counters.
    var checkpoint: Gym_V1_TableCheckpoint {
        let first = slot(firstKey)
        return .with { saved in
            saved.info = info
            saved.keys = Array(firstKey..<nextKey)
            if tree != nil { saved.priorities = saved.keys.map { rawPriorities[slot($0)] } }
            saved.columns = columns.map { store in
                .with {
                    $0.name = store.name
                    $0.tensor = .with {
                        $0.dtype = store.dtype.wire
                        $0.shape = [Int64(size)] + store.itemShape.map(Int64.init)
                        $0.data = store.bytes(from: first, count: size)
                    }
                }
            }
            saved.maxPriority = maxPriority
        }
    }

    /// A table as a checkpoint saved it.
    convenience init(checkpoint saved: Gym_V1_TableCheckpoint, seed: UInt64 = 0, maxBytes: Int = BufferLimits().maxTableBytes) throws {
        let config = saved.info.config
        try self.init(config: config, seed: seed, maxBytes: maxBytes)
        if columns.isEmpty, !saved.info.columns.isEmpty { columns = try stores(for: saved.info.columns) }
        let count = saved.keys.count
        guard count <= capacity, saved.keys.first.map({ first in
                  let end = first.addingReportingOverflow(UInt64(count))
                  return !end.overflow && end.partialValue == saved.info.nextKey
              }) ?? true,
              saved.priorities.isEmpty || saved.priorities.count == count,
              saved.priorities.allSatisfy(Self.isPriority), saved.maxPriority.isFinite,
              saved.keys.enumerated().allSatisfy({ $0.element == saved.keys[0] &+ UInt64($0.offset) }),
              count == 0 || Set(saved.columns.map(\.name)) == Set(columns.map(\.name)) else {
            throw GymError(.malformed, "checkpoint of table \(config.name) is inconsistent")
        }
        firstKey = saved.keys.first ?? saved.info.nextKey
        nextKey = saved.info.nextKey
        for column in saved.columns {
            guard let store = columns.first(where: { $0.name == column.name }), column.tensor.data.count == count * store.itemBytes else {
                throw GymError(.malformed, "checkpoint of table \(config.name): column \(column.name) does not fit the signature")
            }
            column.tensor.data.withUnsafeBytes { raw in
                if let base = raw.baseAddress { store.write(base, count: count, at: slot(firstKey)) }
            }
        }
        if tree != nil {
            for (key, priority) in zip(saved.keys, saved.priorities) { setPriority(slot(key), priority) }
        }
        maxPriority = max(saved.maxPriority, 1e-12)
        inserts = Int(clamping: saved.info.inserts)
        samples = Int(clamping: saved.info.samples)
        evictions = Int(clamping: saved.info.evictions)
        sampleWaits = Int(clamping: saved.info.sampleWaits)
        insertWaits = Int(clamping: saved.info.insertWaits)
        timeouts = Int(clamping: saved.info.timeouts)
    }
}
