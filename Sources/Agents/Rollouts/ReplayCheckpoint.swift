import NeuralNet

/// The replay buffer as a checkpoint part, and back.
///
/// Layout 2 (this one): the ring's position and serials as values; as tensors, the frame rows
/// in use (renumbered in slot order), each slot's observation and next observation as frame
/// row numbers, and actions, rewards and terminal flags. Byte frames and the row numbers
/// (32-bit little-endian) are byte strings packed three bytes to a float (an integer below 2²⁴,
/// so exact whatever reads it), as checkpoints hold only float32 tensors.
///
/// Layout 1 (before observations were kept once, no `layout` value): `observations` and
/// `next_observations` as float rows. It still loads, into frames shared where they match.
///
/// Everything read is checked before anything is allocated from it or written: the file is
/// untrusted. Any frame numbering that passes the checks reads back what the file holds (the
/// use counts are recomputed, never read), so no file can make the buffer return other data.
extension ReplayBuffer {
    /// The current layout.
    static let layout = 2
    /// Most streams (environments) a saved buffer may name.
    static let maxStreams = 1 << 20

    /// What a checkpoint keeps of the buffer as values.
    struct Saved: Codable {
        var count: Int
        var next: Int
        /// nil in layout 1.
        var layout: Int?
        var storage: ObservationStorage?
        var frames: Int?
        var added: Int?
        var newestInStream: [Int]?
        var frameRows: Int?
    }

    /// The frame tensor's name, by storage.
    private static func framesName(_ storage: ObservationStorage) -> String { storage == .float ? "frames" : "frame_bytes" }

    /// The buffer as a checkpoint part.
    var saved: (Saved, [String: Tensor]) {
        let rows = count, act = actionSize, k = frames, width = frameRows.width
        // Frame rows in use, renumbered in order of first use.
        var renumbered = [Int32](repeating: -1, count: frameUses.count)
        var order: [Int] = []
        func number(_ references: [Int32]) -> [Int32] {
            (0..<(rows * k)).map { index in
                let row = Int(references[index])
                if renumbered[row] < 0 {
                    renumbered[row] = Int32(order.count)
                    order.append(row)
                }
                return renumbered[row]
            }
        }
        let observationNumbers = number(observationFrames), nextNumbers = number(nextObservationFrames)
        var tensors: [String: Tensor] = [
            "observation_frames": PackedBytes.tensor(integers: observationNumbers),
            "next_observation_frames": PackedBytes.tensor(integers: nextNumbers),
            "actions": Tensor(shape: [rows, act], data: Array(actions[0..<(rows * act)])),
            "rewards": Tensor(shape: [rows], data: Array(rewards[0..<rows])),
            "terminated": Tensor(shape: [rows], data: Array(terminated[0..<rows])),
        ]
        switch storage {
        case .float:
            let pool = frameRows.floatValues
            var kept = [Float]()
            kept.reserveCapacity(order.count * width)
            for row in order { kept += pool[(row * width)..<((row + 1) * width)] }
            tensors[Self.framesName(storage)] = Tensor(shape: [order.count, width], data: kept)
        case .bytes:
            let pool = frameRows.byteValues
            var kept = [UInt8]()
            kept.reserveCapacity(order.count * width)
            for row in order { kept += pool[(row * width)..<((row + 1) * width)] }
            tensors[Self.framesName(storage)] = PackedBytes.tensor(kept)
        }
        return (Saved(count: rows, next: next, layout: Self.layout, storage: storage, frames: k, added: added,
                      newestInStream: newestInStream, frameRows: order.count), tensors)
    }

    /// Refills the buffer from a checkpoint part (either layout), checking every size and index
    /// against this buffer's before changing anything.
    mutating func restore(_ saved: Saved, _ tensors: [String: Tensor]) throws {
        let rows = saved.count
        guard rows >= 0, rows <= capacity, saved.next >= 0, saved.next < capacity, rows == capacity || saved.next == rows else {
            throw RunStateError("has a replay buffer of \(rows) rows at \(saved.next); this one holds \(capacity)")
        }
        func expect(_ name: String, _ shape: [Int]) throws -> Tensor {
            guard let tensor = tensors[name] else { throw RunStateError("has no replay \(name)") }
            guard tensor.shape == shape else { throw RunStateError("has replay \(name) of shape \(tensor.shape), not \(shape)") }
            return tensor
        }
        // rows ≤ capacity, whose products with the row sizes were checked when this buffer was made.
        let actionRows = try expect("actions", [rows, actionSize])
        let rewardRows = try expect("rewards", [rows])
        let terminalRows = try expect("terminated", [rows])
        var restored = try ReplayBuffer(capacity: capacity, observationSize: observationSize, actionSize: actionSize,
                                        storage: storage, frames: frames)
        if saved.layout == nil {
            try restored.restoreLayout1(saved, tensors, rows: rows, expect: expect)
        } else {
            try restored.restoreFrames(saved, tensors, rows: rows, expect: expect)
        }
        restored.actions.replaceSubrange(0..<(rows * actionSize), with: actionRows.data)
        restored.rewards.replaceSubrange(0..<rows, with: rewardRows.data)
        restored.terminated.replaceSubrange(0..<rows, with: terminalRows.data)
        restored.count = rows
        restored.next = saved.next
        self = restored
    }

    /// Layout 1: float rows of observations and next observations, stored anew (into this empty buffer).
    private mutating func restoreLayout1(_ saved: Saved, _ tensors: [String: Tensor], rows: Int,
                                         expect: (String, [Int]) throws -> Tensor) throws {
        guard tensors.count == 5 else { throw RunStateError("has replay tensors this buffer does not have") }
        let width = observationSize, k = frames
        let ring = try expect("observations", [rows, width]).data
        let nextRows = try expect("next_observations", [rows, width]).data
        for (name, values) in [("observations", ring), ("next_observations", nextRows)] {
            guard values.withUnsafeBufferPointer({ ObservationColumn.fits($0, storage: storage) }) else {
                throw RunStateError("has replay \(name) that are not bytes, but this buffer keeps bytes")
            }
        }
        ring.withUnsafeBufferPointer { ring in
            nextRows.withUnsafeBufferPointer { nextRows in
                var previous: [Int32]? = nil
                for slot in 0..<rows {
                    let current = frameRows(for: UnsafeBufferPointer(rebasing: ring[(slot * width)..<((slot + 1) * width)]), after: previous)
                    let following = frameRows(for: UnsafeBufferPointer(rebasing: nextRows[(slot * width)..<((slot + 1) * width)]), after: current)
                    observationFrames.replaceSubrange((slot * k)..<((slot + 1) * k), with: current)
                    nextObservationFrames.replaceSubrange((slot * k)..<((slot + 1) * k), with: following)
                    previous = following
                }
            }
        }
        added = rows == capacity ? capacity + saved.next : rows
        newestInStream = []
    }

    /// Layout 2: frame rows and each observation's frame numbers, checked.
    private mutating func restoreFrames(_ saved: Saved, _ tensors: [String: Tensor], rows: Int,
                                        expect: (String, [Int]) throws -> Tensor) throws {
        let k = frames, width = frameRows.width
        guard saved.layout == Self.layout else {
            throw RunStateError("has a replay buffer in layout \(saved.layout ?? 0); this build reads 1 and \(Self.layout)")
        }
        guard saved.storage == storage, saved.frames == k else {
            throw RunStateError("keeps replay observations as \(saved.storage?.rawValue ?? "nothing") in \(saved.frames ?? 0) frames; "
                                + "this buffer keeps them as \(storage.rawValue) in \(k)")
        }
        guard let added = saved.added, let streams = saved.newestInStream, let pool = saved.frameRows else {
            throw RunStateError("has a replay buffer without its serials")
        }
        guard added >= rows, added % capacity == saved.next, rows == min(added, capacity) else {
            throw RunStateError("has a replay buffer of \(rows) rows at \(saved.next) after \(added) transitions")
        }
        guard streams.count <= Self.maxStreams, streams.allSatisfy({ $0 >= -1 && $0 < added }) else {
            throw RunStateError("has replay streams out of range")
        }
        // Two observations of k frames per slot at most; capacity × 2k was checked when this buffer was made.
        let references = rows * k
        guard pool >= 0, pool <= 2 * references else { throw RunStateError("has \(pool) replay frames for \(rows) transitions") }
        guard tensors.count == 6 else { throw RunStateError("has replay tensors this buffer does not have") }
        let (values, overflow) = pool.multipliedReportingOverflow(by: width)
        guard !overflow else { throw RunStateError("has too many replay frames") }

        var uses = [Int32](repeating: 0, count: pool)
        func numbers(_ name: String) throws -> [Int32] {
            let tensor = try expect(name, [PackedBytes.floats(for: references * 4)])
            let numbers = try PackedBytes.integers(tensor, count: references, name: name)
            for number in numbers {
                guard number >= 0, Int(number) < pool else { throw RunStateError("has replay \(name) out of range") }
                uses[Int(number)] += 1
            }
            return numbers
        }
        let observationNumbers = try numbers("observation_frames"), nextNumbers = try numbers("next_observation_frames")
        guard uses.allSatisfy({ $0 > 0 }) else { throw RunStateError("has replay frames no observation uses") }

        let name = Self.framesName(storage)
        switch storage {
        case .float:
            frameRows = ObservationColumn(width: width, floats: try expect(name, [pool, width]).data)
        case .bytes:
            frameRows = ObservationColumn(width: width, bytes: try PackedBytes.bytes(expect(name, [PackedBytes.floats(for: values)]),
                                                                                   count: values, name: name))
        }
        frameRows.reserve(rows: max(pool, capacity + k))
        frameUses = uses
        frameUses.reserveCapacity(max(pool, capacity + k))
        freeFrameRows = []
        observationFrames.replaceSubrange(0..<references, with: observationNumbers)
        nextObservationFrames.replaceSubrange(0..<references, with: nextNumbers)
        self.added = added
        newestInStream = streams
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

    /// 32-bit integers as their little-endian bytes, packed.
    static func tensor(integers: [Int32]) -> Tensor {
        tensor(integers.flatMap { value in (0..<4).map { UInt8(truncatingIfNeeded: UInt32(bitPattern: value) >> (8 * $0)) } })
    }

    /// `count` 32-bit integers packed as their little-endian bytes in `tensor`.
    static func integers(_ tensor: Tensor, count: Int, name: String) throws -> [Int32] {
        let bytes = try bytes(tensor, count: count * 4, name: name)
        return (0..<count).map { index in
            var bits: UInt32 = 0
            for k in 0..<4 { bits |= UInt32(bytes[index * 4 + k]) << (8 * UInt32(k)) }
            return Int32(bitPattern: bits)
        }
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
