import NeuralNet

/// The replay buffer as a checkpoint part, and back.
///
/// Layout 2 (this one): the ring's position and serials as values; as tensors, the filled
/// slots' observations, the spare next-observation rows in use (renumbered from 0 in slot
/// order), each slot's next-observation link, and actions, rewards and terminal flags. Byte
/// observations and the links are byte strings packed three bytes to a float (an integer below
/// 2²⁴, so exact whatever reads it), as checkpoints hold only float32 tensors.
///
/// Layout 1 (before observations were kept once, no `layout` value): `observations` and
/// `next_observations` as float rows. It still loads; every next observation becomes a spare row.
///
/// Everything read is checked before anything is allocated from it or written: the file is untrusted.
extension ReplayBuffer {
    /// The current layout.
    static let layout = 2

    /// What a checkpoint keeps of the buffer as values.
    struct Saved: Codable {
        var count: Int
        var next: Int
        /// nil in layout 1.
        var layout: Int?
        var storage: ObservationStorage?
        var added: Int?
        var newestInStream: [Int]?
        var spareRows: Int?
    }

    /// Tensor names of layout 2, by storage.
    private static func names(_ storage: ObservationStorage) -> (observations: String, spare: String) {
        storage == .float ? ("observations", "spare_next_observations") : ("observation_bytes", "spare_next_observation_bytes")
    }

    /// The buffer as a checkpoint part.
    var saved: (Saved, [String: Tensor]) {
        let rows = count, width = observationSize, act = actionSize
        // Spare rows in use, renumbered in slot order.
        var links = [Int32](repeating: 0, count: rows)
        var spareOrder: [Int] = []
        for slot in 0..<rows {
            let link = nextLinks[slot]
            if link >= 0 {
                links[slot] = link
            } else {
                links[slot] = Int32(-1 - spareOrder.count)
                spareOrder.append(Int(-1 - link))
            }
        }
        let names = Self.names(storage)
        var tensors: [String: Tensor] = [
            "next_links": PackedBytes.tensor(links.flatMap { value in
                let bits = UInt32(bitPattern: value)
                return (0..<4).map { UInt8(truncatingIfNeeded: bits >> (8 * $0)) }
            }),
            "actions": Tensor(shape: [rows, act], data: Array(actions[0..<(rows * act)])),
            "rewards": Tensor(shape: [rows], data: Array(rewards[0..<rows])),
            "terminated": Tensor(shape: [rows], data: Array(terminated[0..<rows])),
        ]
        switch storage {
        case .float:
            let ring = observations.floatValues, spare = spareRows.floatValues
            tensors[names.observations] = Tensor(shape: [rows, width], data: Array(ring[0..<(rows * width)]))
            var kept = [Float]()
            kept.reserveCapacity(spareOrder.count * width)
            for row in spareOrder { kept += spare[(row * width)..<((row + 1) * width)] }
            tensors[names.spare] = Tensor(shape: [spareOrder.count, width], data: kept)
        case .bytes:
            let ring = observations.byteValues, spare = spareRows.byteValues
            tensors[names.observations] = PackedBytes.tensor(Array(ring[0..<(rows * width)]))
            var kept = [UInt8]()
            kept.reserveCapacity(spareOrder.count * width)
            for row in spareOrder { kept += spare[(row * width)..<((row + 1) * width)] }
            tensors[names.spare] = PackedBytes.tensor(kept)
        }
        return (Saved(count: rows, next: next, layout: Self.layout, storage: storage, added: added,
                      newestInStream: newestInStream, spareRows: spareOrder.count), tensors)
    }

    /// Refills the buffer from a checkpoint part (either layout), checking every size and index
    /// against this buffer's before changing anything.
    mutating func restore(_ saved: Saved, _ tensors: [String: Tensor]) throws {
        let rows = saved.count
        guard rows >= 0, rows <= capacity, saved.next >= 0, saved.next < capacity, rows == capacity || saved.next == rows else {
            throw RunStateError("has a replay buffer of \(rows) rows at \(saved.next); this one holds \(capacity)")
        }
        // rows ≤ capacity, and capacity × observationSize (and × actionSize) were checked when this buffer was made.
        let (values, overflow) = rows.multipliedReportingOverflow(by: observationSize)
        let (actionValues, actionOverflow) = rows.multipliedReportingOverflow(by: actionSize)
        guard !overflow, !actionOverflow else { throw RunStateError("has a replay buffer too large for its row sizes") }
        func expect(_ name: String, _ shape: [Int]) throws -> Tensor {
            guard let tensor = tensors[name] else { throw RunStateError("has no replay \(name)") }
            guard tensor.shape == shape else {
                throw RunStateError("has replay \(name) of shape \(tensor.shape), not \(shape)")
            }
            return tensor
        }
        let actionRows = try expect("actions", [rows, actionSize])
        let rewardRows = try expect("rewards", [rows])
        let terminalRows = try expect("terminated", [rows])
        _ = actionValues
        var restored = try self.restoredObservations(saved, tensors, rows: rows, values: values, expect: expect)
        restored.actions.replaceSubrange(0..<(rows * actionSize), with: actionRows.data)
        restored.rewards.replaceSubrange(0..<rows, with: rewardRows.data)
        restored.terminated.replaceSubrange(0..<rows, with: terminalRows.data)
        restored.count = rows
        restored.next = saved.next
        self = restored
    }

    /// A copy of this (empty) buffer with the saved observations, links and serials in place.
    private func restoredObservations(_ saved: Saved, _ tensors: [String: Tensor], rows: Int, values: Int,
                                      expect: (String, [Int]) throws -> Tensor) throws -> ReplayBuffer {
        var restored = self
        let width = observationSize
        guard let layout = saved.layout else {
            // Layout 1: float rows of observations and next observations.
            guard tensors.count == 5 else { throw RunStateError("has replay tensors this buffer does not have") }
            let ring = try expect("observations", [rows, width]).data
            let nextRows = try expect("next_observations", [rows, width]).data
            restored.observations = try Self.column(floats: ring, storage: storage, width: width, name: "observations")
            restored.observations.pad(toRows: capacity)
            restored.spareRows = try Self.column(floats: nextRows, storage: storage, width: width, name: "next_observations")
            restored.freeSpareRows = []
            restored.nextLinks = (0..<capacity).map { $0 < rows ? Int32(-1 - $0) : 0 }
            restored.added = rows == capacity ? capacity + saved.next : rows
            restored.newestInStream = []
            return restored
        }
        guard layout == Self.layout else { throw RunStateError("has a replay buffer in layout \(layout); this build reads 1 and 2") }
        guard saved.storage == storage else {
            throw RunStateError("keeps replay observations as \(saved.storage?.rawValue ?? "nothing"); this buffer keeps them as \(storage.rawValue)")
        }
        guard let added = saved.added, let streams = saved.newestInStream, let spares = saved.spareRows else {
            throw RunStateError("has a replay buffer without its serials")
        }
        guard added >= rows, added % capacity == saved.next, rows == min(added, capacity) else {
            throw RunStateError("has a replay buffer of \(rows) rows at \(saved.next) after \(added) transitions")
        }
        guard streams.count <= Self.maxStreams, streams.allSatisfy({ $0 >= -1 && $0 < added }) else {
            throw RunStateError("has replay streams out of range")
        }
        guard spares >= 0, spares <= rows else { throw RunStateError("has \(spares) spare replay rows for \(rows) transitions") }
        guard tensors.count == 6 else { throw RunStateError("has replay tensors this buffer does not have") }
        let (spareValues, spareOverflow) = spares.multipliedReportingOverflow(by: width)
        guard !spareOverflow else { throw RunStateError("has too many spare replay rows") }

        // Links: in range, to a newer slot (so none outlives what it points at), each spare row used once.
        let linkBytes = try PackedBytes.bytes(expect("next_links", [PackedBytes.floats(for: rows * 4)]), count: rows * 4, name: "next_links")
        let full = rows == capacity
        func age(_ slot: Int) -> Int { full ? (slot - saved.next + capacity) % capacity : slot }
        var links = [Int32](repeating: 0, count: capacity)
        var used = [Bool](repeating: false, count: spares)
        for slot in 0..<rows {
            var bits: UInt32 = 0
            for k in 0..<4 { bits |= UInt32(linkBytes[slot * 4 + k]) << (8 * UInt32(k)) }
            let link = Int32(bitPattern: bits)
            if link >= 0 {
                guard Int(link) < rows, age(Int(link)) > age(slot) else { throw RunStateError("has a replay link out of range") }
            } else {
                let spare = Int(-1 - Int64(link))
                guard spare < spares, !used[spare] else { throw RunStateError("has a replay link to a missing or shared spare row") }
                used[spare] = true
            }
            links[slot] = link
        }
        guard used.allSatisfy({ $0 }) else { throw RunStateError("has spare replay rows no transition uses") }

        let names = Self.names(storage)
        switch storage {
        case .float:
            restored.observations = ObservationColumn(width: width, floats: try expect(names.observations, [rows, width]).data)
            restored.spareRows = ObservationColumn(width: width, floats: try expect(names.spare, [spares, width]).data)
        case .bytes:
            let ring = try PackedBytes.bytes(expect(names.observations, [PackedBytes.floats(for: values)]), count: values, name: names.observations)
            let spare = try PackedBytes.bytes(expect(names.spare, [PackedBytes.floats(for: spareValues)]), count: spareValues, name: names.spare)
            restored.observations = ObservationColumn(width: width, bytes: ring)
            restored.spareRows = ObservationColumn(width: width, bytes: spare)
        }
        restored.observations.pad(toRows: capacity)
        restored.freeSpareRows = []
        restored.nextLinks = links
        restored.added = added
        restored.newestInStream = streams
        return restored
    }

    /// Most streams (environments) a saved buffer may name.
    static let maxStreams = 1 << 20

    /// Float rows as a column of `storage`, refusing values the storage would not keep exactly.
    private static func column(floats: [Float], storage: ObservationStorage, width: Int, name: String) throws -> ObservationColumn {
        switch storage {
        case .float:
            return ObservationColumn(width: width, floats: floats)
        case .bytes:
            let fits = floats.withUnsafeBufferPointer { ObservationColumn.fits($0, storage: .bytes) }
            guard fits else { throw RunStateError("has replay \(name) that are not bytes, but this buffer keeps bytes") }
            return ObservationColumn(width: width, bytes: floats.map { UInt8($0) })
        }
    }
}

/// Byte strings as float32 tensors, three bytes to a float: each float is the integer
/// `b₀ + 256 b₁ + 65536 b₂` (below 2²⁴, so exactly representable, never NaN), the last one zero-padded.
enum PackedBytes {
    /// Floats that hold `count` bytes.
    static func floats(for count: Int) -> Int { count / 3 + (count % 3 == 0 ? 0 : 1) }

    /// `bytes` packed into a `[floats(for: bytes.count)]` tensor.
    static func tensor(_ bytes: [UInt8]) -> Tensor {
        var data = [Float](repeating: 0, count: floats(for: bytes.count))
        for (index, byte) in bytes.enumerated() {
            data[index / 3] += Float(Int(byte) << (8 * (index % 3)))
        }
        return Tensor(shape: [data.count], data: data)
    }

    /// The `count` bytes packed in `tensor`, refusing any float that is not such an integer and nonzero padding.
    static func bytes(_ tensor: Tensor, count: Int, name: String) throws -> [UInt8] {
        guard count >= 0, tensor.data.count == floats(for: count) else { throw RunStateError("has replay \(name) of the wrong size") }
        var out = [UInt8](repeating: 0, count: count)
        for (index, value) in tensor.data.enumerated() {
            guard value >= 0, value < 16_777_216, value.rounded(.towardZero) == value else {
                throw RunStateError("has replay \(name) that are not packed bytes")
            }
            let word = Int(value)
            for k in 0..<3 {
                let byte = UInt8(truncatingIfNeeded: word >> (8 * k))
                if index * 3 + k < count {
                    out[index * 3 + k] = byte
                } else if byte != 0 {
                    throw RunStateError("has replay \(name) with nonzero padding")
                }
            }
        }
        return out
    }
}
