import CGymPlugin
import GymCore
import Testing
@testable import GymPlugin

/// A plugin's space descriptions are input (issue 13): found by the PluginValues fuzz harness,
/// a shape whose product overflows trapped the daemon while loading the plugin, and a
/// Discrete whose start plus n overflows trapped it at the first sample.
@Suite struct PluginValueLimitsTests {
    func space(kind: Int32, shape: [Int64], n: Int64 = 0, start: Int64 = 0) throws -> Space {
        let bounds = [Double](repeating: 0, count: 4)
        return try shape.withUnsafeBufferPointer { dims in
            try bounds.withUnsafeBufferPointer { low in
                var c = gym_space()
                c.kind = kind
                c.dtype = Int32(GYM_DTYPE_FLOAT32)
                c.ndim = Int32(shape.count)
                c.shape = shape.isEmpty ? nil : dims.baseAddress
                c.low = low.baseAddress
                c.high = low.baseAddress
                c.n = n
                c.start = start
                return try CValues.space(c)
            }
        }
    }

    @Test(arguments: [[Int64(1) << 40, 1 << 40], [1 << 62, 4], [-1, 2], [1 << 25]])
    func shapesNoValueCouldHaveAreRefusedNotTrapped(shape: [Int64]) throws {
        for kind in [GYM_SPACE_BOX, GYM_SPACE_MULTI_BINARY] {
            let error = try #require(throws: GymError.self) { try space(kind: Int32(kind), shape: shape) }
            #expect(error.message.contains("elements"))
        }
    }

    @Test func aSmallSpaceStillConverts() throws {
        #expect(try space(kind: Int32(GYM_SPACE_MULTI_BINARY), shape: [2, 2]) == .multiBinary(shape: [2, 2]))
    }

    @Test func discreteSpacesWhoseValuesOverflowAreInvalid() throws {
        let converted = try space(kind: Int32(GYM_SPACE_DISCRETE), shape: [], n: 2, start: .max)
        #expect(converted.validationProblem?.contains("overflows") == true)
        #expect(Space.discrete(n: 2, start: .max - 1).validationProblem == nil)
        #expect(Space.multiDiscrete(nvec: [3], start: [.max - 1]).validationProblem?.contains("overflows") == true)
    }
}

/// Found by the PluginValues harness: a client's kwarg named `seed\0x` reached a plugin as `seed`.
@Suite struct PluginValueNULTests {
    @Test func namesAndTextsHoldingANULDoNotCrossTheABI() throws {
        let copies = CValueArray(["seed": .integer(1), "seed\u{0}x": .integer(2), "mode": .text("fa\u{0}st"), "ok": .text("fast")])
        let back = copies.values.withUnsafeBufferPointer { CValues.valueMap($0.baseAddress, count: Int32($0.count)) }
        #expect(back == ["seed": .integer(1), "ok": .text("fast")])
    }
}
