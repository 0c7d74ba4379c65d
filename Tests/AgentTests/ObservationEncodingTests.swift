import Agents
import GymCore
import Testing

/// Little-endian arrays as a daemon sends them.
private func int64s(_ values: [Int64], shape: [Int]) -> NDArray {
    NDArray(dtype: .int64, shape: shape, bytes: values.withUnsafeBytes { Array($0) })
}

private func int8s(_ values: [Int8], shape: [Int]) -> NDArray {
    NDArray(dtype: .int8, shape: shape, bytes: values.withUnsafeBytes { Array($0) })
}

@Suite struct ObservationEncodingTests {
    @Test func discreteIsOneHotFromItsStart() throws {
        let encoding = try ObservationEncoding(.discrete(n: 4, start: -2))
        #expect(encoding.width == 4)
        // Values -2 and 1 are the first and last of Discrete(4, start=-2).
        #expect(try encoding.encode([int64s([-2, 1], shape: [2])], rows: 2) == [1, 0, 0, 0, 0, 0, 0, 1])
        #expect(encoding.low == [0, 0, 0, 0] && encoding.high == [1, 1, 1, 1])
    }

    @Test func valuesOutsideTheSpaceAreErrorsNotTraps() throws {
        let encoding = try ObservationEncoding(.discrete(n: 4, start: -2))
        for hostile in [Int64.min, -3, 2, Int64.max] {
            #expect(throws: AgentError.self) { try encoding.encode([int64s([hostile], shape: [1])], rows: 1) }
        }
        let table = try ObservationEncoding(.multiDiscrete(nvec: [2, 3], start: [0, 5]), form: .tableIndex)
        #expect(throws: AgentError.self) { try table.encode([int64s([1, 8], shape: [1, 2])], rows: 1) }
        #expect(throws: AgentError.self) { try ObservationEncoding(.multiBinary(shape: [2])).encode([int8s([1, 2], shape: [1, 2])], rows: 1) }
        // Arrays that do not hold the rows asked for.
        #expect(throws: AgentError.self) { try encoding.encode([int64s([0], shape: [1])], rows: 2) }
        #expect(throws: AgentError.self) { try encoding.encode([], rows: 1) }
        let torn = NDArray(dtype: .int64, shape: [Int.max, 2], bytes: [])
        #expect(throws: AgentError.self) { try encoding.encode([torn], rows: 1) }
    }

    @Test func multiDiscreteIsOneHotPerPart() throws {
        let encoding = try ObservationEncoding(.multiDiscrete(nvec: [2, 3], start: [1, -1]))
        #expect(encoding.width == 5)
        #expect(try encoding.encode([int64s([2, -1, 1, 1], shape: [2, 2])], rows: 2) == [0, 1, 1, 0, 0, 1, 0, 0, 0, 1])
    }

    @Test func multiBinaryAndBoxesOfAnyDtypeAreFloats() throws {
        let binary = try ObservationEncoding(.multiBinary(shape: [3]))
        #expect(try binary.encode([int8s([1, 0, 1], shape: [1, 3])], rows: 1) == [1, 0, 1])
        let bytes = try ObservationEncoding(.box(low: 0, high: 255, shape: [2], dtype: .uint8))
        #expect(try bytes.encode([NDArray(dtype: .uint8, shape: [1, 2], bytes: [7, 255])], rows: 1) == [7, 255])
        #expect(bytes.low == [0, 0] && bytes.high == [255, 255])
        let doubles = try ObservationEncoding(.box(low: -1, high: 1, shape: [1], dtype: .float64))
        #expect(try doubles.encode([NDArray(dtype: .float64, shape: [2], values: [0.5, -0.25])], rows: 2) == [0.5, -0.25])
        // A float32 Box passes through bit for bit, NaN payloads included.
        let raw: [Float] = [Float(bitPattern: 0x7fc0_0001), -0.0, 3.25]
        let floats = try ObservationEncoding(.box(low: -.infinity, high: .infinity, shape: [3], dtype: .float32))
        let encoded = try floats.encode([NDArray(dtype: .float32, shape: [1, 3], bytes: raw.withUnsafeBytes { Array($0) })], rows: 1)
        #expect(encoded.map(\.bitPattern) == raw.map(\.bitPattern))
    }

    /// Gymnasium's Blackjack-v1: Tuple(Discrete(32), Discrete(11), Discrete(2)).
    static let blackjack = Space.tuple([.discrete(n: 32), .discrete(n: 11), .discrete(n: 2)])

    @Test func tupleIsFlattenedInPositionOrder() throws {
        let encoding = try ObservationEncoding(Self.blackjack)
        #expect(encoding.width == 45)
        let features = try encoding.encode([int64s([14], shape: [1]), int64s([10], shape: [1]), int64s([1], shape: [1])], rows: 1)
        #expect(features.indices.filter { features[$0] == 1 } == [14, 32 + 10, 43 + 1])
    }

    @Test func dictIsFlattenedBySortedKeyWhateverTheWireOrder() throws {
        // Declared "position" first: the wire carries it first, features put "flags" first.
        let space = Space.dict([.init("position", .discrete(n: 3, start: 10)), .init("flags", .multiBinary(shape: [2])),
                                .init("Z", .box(low: -1, high: 1, shape: [1], dtype: .float32))])
        let encoding = try ObservationEncoding(space)
        #expect(encoding.width == 1 + 2 + 3)
        let leaves = [int64s([11], shape: [1]), int8s([0, 1], shape: [1, 2]), NDArray(dtype: .float32, shape: [1, 1], values: [0.5])]
        // "Z" < "flags" < "position" by code point (upper case first, as Python sorts).
        #expect(try encoding.encode(leaves, rows: 1) == [0.5, 0, 1, 0, 1, 0])
        #expect(encoding.low == [-1, 0, 0, 0, 0, 0])
        // The same entries declared in sorted order encode the same way.
        let sorted = Space.dict([.init("Z", .box(low: -1, high: 1, shape: [1], dtype: .float32)),
                                 .init("flags", .multiBinary(shape: [2])), .init("position", .discrete(n: 3, start: 10))])
        #expect(try ObservationEncoding(sorted).encode([leaves[2], leaves[1], leaves[0]], rows: 1) == [0.5, 0, 1, 0, 1, 0])
    }

    @Test func nestedSpacesFlattenDepthFirst() throws {
        let space = Space.tuple([.dict([.init("b", .discrete(n: 2)), .init("a", .discrete(n: 3))]), .discrete(n: 2, start: 1)])
        let encoding = try ObservationEncoding(space)
        let features = try encoding.encode([int64s([1], shape: [1]), int64s([0], shape: [1]), int64s([2], shape: [1])], rows: 1)
        // a = 0 → feature 0; b = 1 → feature 3 + 1; the last part's 2 = start + 1 → feature 5 + 1.
        #expect(features == [1, 0, 0, 0, 1, 0, 1])
    }

    @Test func discreteObservationsIndexATableInMixedRadix() throws {
        let encoding = try ObservationEncoding(Self.blackjack, form: .tableIndex)
        #expect(encoding.width == 1 && encoding.stateCount == 32 * 11 * 2 && encoding.radices == [32, 11, 2])
        let rows = try encoding.indices([int64s([0, 31, 14], shape: [3]), int64s([0, 10, 3], shape: [3]), int64s([0, 1, 1], shape: [3])], rows: 3)
        #expect(rows == [0, 31 + 32 * 10 + 352 * 1, 14 + 32 * 3 + 352])
        #expect(try encoding.encode([int64s([31], shape: [1]), int64s([10], shape: [1]), int64s([1], shape: [1])], rows: 1) == [703])
        // Starts are subtracted; MultiBinary elements are binary digits; Dicts are read by sorted key.
        let dict = Space.dict([.init("b", .multiDiscrete(nvec: [3, 2], start: [-1, 4])), .init("a", .multiBinary(shape: [2]))])
        let table = try ObservationEncoding(dict, form: .tableIndex)
        #expect(table.radices == [2, 2, 3, 2])
        #expect(try table.indices([int64s([1, 5], shape: [1, 2]), int8s([1, 0], shape: [1, 2])], rows: 1) == [1 + 0 * 2 + 2 * 4 + 1 * 12])
    }

    @Test func hostileSizesAreErrorsNamingTheSpace() throws {
        // Too many states for a table, however the product overflows.
        let huge = Space.multiDiscrete(nvec: Array(repeating: Int64(1 << 20), count: 8), start: Array(repeating: 0, count: 8))
        #expect(throws: AgentError.self) { try ObservationEncoding(huge, form: .tableIndex) }
        #expect(throws: AgentError.self) { try ObservationEncoding(.multiBinary(shape: [64]), form: .tableIndex) }
        // Too many one-hot features.
        #expect(throws: AgentError.self) { try ObservationEncoding(.discrete(n: Int64.max)) }
        #expect(throws: AgentError.self) { try ObservationEncoding(.multiDiscrete(nvec: [1 << 19, 1 << 19, 1 << 19], start: [0, 0, 0])) }
        #expect(throws: AgentError.self) { try ObservationEncoding(.multiBinary(shape: [1 << 30, 1 << 30])) }
        // A Box among discrete parts cannot index a table, and the error says what would train.
        do {
            _ = try ObservationEncoding(.tuple([.discrete(n: 2), .box(low: 0, high: 1, shape: [1])]), form: .tableIndex)
            Issue.record("a Box in a table index was accepted")
        } catch {
            #expect(error.message.contains("Tuple(Discrete(2), Box(") && error.message.contains("dqn"))
        }
        // Invalid specs are refused before anything is sized from them.
        #expect(throws: AgentError.self) { try ObservationEncoding(.discrete(n: 0)) }
        #expect(throws: AgentError.self) { try ObservationEncoding(.tuple([])) }
    }

    @Test func layoutsNameTheActionSpaceAndWhatWouldTrainOnIt() throws {
        let spec = EnvSpec(id: "Odd-v0", observationSpace: Self.blackjack, actionSpace: .multiBinary(shape: [2]),
                           maxEpisodeSteps: nil, rewardThreshold: nil) { _ in preconditionFailure("not made") }
        do {
            _ = try SpaceLayout(spec)
            Issue.record("a MultiBinary action space was accepted")
        } catch {
            #expect(error.message.contains("MultiBinary([2])") && error.message.contains("Discrete"))
        }
        var discrete = spec
        discrete.actionSpace = .discrete(n: 3, start: 5)
        let layout = try SpaceLayout(discrete)
        #expect(layout.observationSize == 45 && layout.actionCount == 3 && layout.actionStart == 5)
        #expect(try SpaceLayout(discrete, form: .tableIndex).observationSize == 1)
    }
}
