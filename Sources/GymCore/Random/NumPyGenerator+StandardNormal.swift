import Foundation

extension NumPyGenerator {
    /// NumPy's tail start r of the normal ziggurat, and its reciprocal, as NumPy spells them.
    static let zigguratTailStart = 3.6541528853610087963519472518
    static let zigguratInverseTailStart = 0.27366123732975827203338247596

    /// `Generator.standard_normal()`: NumPy's 256-layer ziggurat over one 64-bit draw per try
    /// (8 bits of layer, 1 of sign, 52 of magnitude), with Marsaglia's tail method for layer 0
    /// and a density test at the wedges, bit for bit (the tables are `ZigguratTables`).
    public mutating func standardNormal() -> Double {
        while true {
            let draw = bitGenerator.nextUInt64()
            let layer = Int(draw & 0xFF)
            let afterLayer = draw >> 8
            let negative = afterLayer & 1 == 1
            let magnitude = (afterLayer >> 1) & 0x000F_FFFF_FFFF_FFFF
            var x = Double(magnitude) * Double(bitPattern: ZigguratTables.widthBits[layer])
            if negative { x = -x }
            if magnitude < ZigguratTables.thresholds[layer] { return x }
            if layer == 0 {
                // The tail beyond r (NumPy takes log1p(-u) there): exponential proposals accepted against the normal's curvature;
                // the sign comes from a bit of the draw that chose the tail.
                while true {
                    let excess = -Self.zigguratInverseTailStart * log1p(-bitGenerator.nextDouble())
                    let height = -log1p(-bitGenerator.nextDouble())
                    if height + height > excess * excess {
                        return (magnitude >> 8) & 1 == 1 ? -(Self.zigguratTailStart + excess) : Self.zigguratTailStart + excess
                    }
                }
            }
            let upper = Double(bitPattern: ZigguratTables.densityBits[layer - 1])
            let lower = Double(bitPattern: ZigguratTables.densityBits[layer])
            if (upper - lower) * bitGenerator.nextDouble() + lower < exp(-0.5 * x * x) { return x }
        }
    }

    /// `Generator.standard_normal(count)`: independent draws in order.
    public mutating func standardNormal(count: Int) -> [Double] {
        (0..<count).map { _ in standardNormal() }
    }
}
