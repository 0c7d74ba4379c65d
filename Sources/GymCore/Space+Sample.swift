extension Space {
    /// A random value of the space as raw bytes, drawn as Gymnasium's `space.sample()` does
    /// for bounded spaces (unbounded box elements draw from a standard-width uniform instead).
    public func sample(using random: inout NumPyGenerator) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: byteCount)
        bytes.withUnsafeMutableBytes { raw in
            var offset = 0
            for leaf in leaves {
                let slot = UnsafeMutableRawBufferPointer(rebasing: raw[offset..<(offset + leaf.byteCount)])
                leaf.sampleLeaf(into: slot, using: &random)
                offset += leaf.byteCount
            }
        }
        return bytes
    }

    private func sampleLeaf(into slot: UnsafeMutableRawBufferPointer, using random: inout NumPyGenerator) {
        switch self {
        case .discrete(let n, let start):
            slot.storeBytes(of: start + random.integers(high: n), as: Int64.self)
        case .multiDiscrete(let nvec, let start):
            for index in nvec.indices {
                slot.storeBytes(of: start[index] + random.integers(high: nvec[index]), toByteOffset: index * 8, as: Int64.self)
            }
        case .multiBinary:
            for index in 0..<elementCount { slot[index] = UInt8(random.integers(high: 2)) }
        case .box(let low, let high, _, let dtype):
            for index in 0..<elementCount {
                let lo = low[index].isFinite ? low[index] : (high[index].isFinite ? high[index] - 2 : -1)
                let hi = high[index].isFinite ? high[index] : lo + 2
                var value = random.uniform(low: lo, high: hi)
                if !dtype.isFloatingPoint { value = value.rounded(.down) }
                dtype.store(value, into: slot, at: index)
            }
        case .dict, .tuple:
            break
        }
    }
}
