import ClassicControl
import Foundation
import GymCore
@testable import GymProtocol
@testable import GymServer
import SwiftProtobuf
import Testing

/// The hand-written step reply codec against swift-protobuf: the daemon's bytes are the ones
/// swift-protobuf writes, and a client reads any bytes either the same as swift-protobuf or
/// leaves them to it — for well-formed replies, unknown fields, non-canonical encodings and
/// hostile bytes alike.
@Suite struct StepReplyWireTests {
    static func registry() throws -> EnvRegistry {
        var registry = EnvRegistry()
        try ClassicControl.register(into: &registry)
        return registry
    }

    /// A CartPole batch stepped `steps` times with alternating actions, so some episodes end;
    /// in same-step mode, and past 20 steps, on until a step that ends one (final observations).
    static func steppedBatch(count: Int, steps: Int, autoreset: AutoresetMode) throws -> EnvBatch {
        let spec = try registry().require("CartPole-v1")
        let batch = try EnvBatch(spec: spec, count: count, seed: 3, autoreset: autoreset)
        try batch.reset()
        let actions = NDArray(dtype: .int64, shape: [count], values: (0..<count).map { Double($0 % 2) })
        for _ in 0..<steps { try batch.step(actions: [actions]) }
        for _ in 0..<1000 where autoreset == .sameStep && steps > 20 && batch.finalIndices.isEmpty {
            try batch.step(actions: [actions])
        }
        return batch
    }

    /// What swift-protobuf writes for the same reply.
    static func protobufBytes(id: UInt64, _ batch: EnvBatch) throws -> [UInt8] {
        try Gym_V1_Response.with { $0.id = id; $0.step = EnvWorker.stepReply(batch) }.serializedBytes()
    }

    /// Either `decode` hands the bytes to swift-protobuf (nil), or both read the same reply.
    static func expectAgreement(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        let fast = bytes.withUnsafeBytes(StepReplyWire.decode)
        let slow = (try? Gym_V1_Response(serializedBytes: bytes)).flatMap { try? DecodedStepReply($0) }
        if let fast {
            #expect(slow == fast, "the hand decoder read a reply swift-protobuf reads differently (or not at all)", sourceLocation: sourceLocation)
        }
        let peeked = bytes.withUnsafeBytes(StepReplyWire.responseID)
        if let peeked, let response = try? Gym_V1_Response(serializedBytes: bytes) {
            #expect(peeked == response.id, sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: [(1, 0, AutoresetMode.nextStep), (16, 30, .nextStep), (256, 40, .nextStep), (16, 30, .sameStep), (7, 200, .sameStep)])
    func encoderWritesSwiftProtobufsBytes(count: Int, steps: Int, autoreset: AutoresetMode) throws {
        let batch = try Self.steppedBatch(count: count, steps: steps, autoreset: autoreset)
        for id: UInt64 in [0, 1, 300, .max] {
            let expected = try Self.protobufBytes(id: id, batch)
            let written = try EnvWorker.encodedStepReply(id: id, batch)
            #expect(written == expected)
        }
        if autoreset == .sameStep, steps > 20 { #expect(!batch.finalIndices.isEmpty, "the test should cover final observations") }
    }

    @Test func encoderGathersEachLeafOfInterleavedRows() throws {
        // Two leaves: a float32 [2] and an int64 scalar, interleaved per row as a batch holds them.
        let leaves = [Space.box(low: -1, high: 1, shape: [2]), Space.discrete(n: 5)]
        let rows = 3
        let stride = 16
        var observations = [UInt8]()
        var first = [UInt8](), second = [UInt8]()
        for row in 0..<rows {
            let floats = [Float(row), Float(row) + 0.5]
            let integer = Int64(row * 7)
            let a = floats.withUnsafeBytes { Array($0) }, b = withUnsafeBytes(of: integer) { Array($0) }
            observations += a + b
            first += a
            second += b
        }
        let rewards = [1.0, -2.5, 0]
        let flags: [UInt8] = [0, 1, 0]
        let written = try StepReplyWire.encode(id: 9, leaves: leaves.map(StepReplyWire.Leaf.init), rows: rows, stride: stride,
                                               observations: observations, rewards: rewards, terminated: flags, truncated: [1, 0, 0],
                                               infos: [], final: nil)
        let expected: [UInt8] = try Gym_V1_Response.with {
            $0.id = 9
            $0.step = .with {
                $0.observations = [Gym_V1_Tensor(NDArray(dtype: .float32, shape: [rows, 2], bytes: first)),
                                   Gym_V1_Tensor(NDArray(dtype: .int64, shape: [rows], bytes: second))]
                $0.rewards = Gym_V1_Tensor(NDArray(dtype: .float64, shape: [rows], bytes: rewards.withUnsafeBytes { Array($0) }))
                $0.terminated = Data(flags)
                $0.truncated = Data([1, 0, 0])
            }
        }.serializedBytes()
        #expect(written == expected)
        Self.expectAgreement(written)
        #expect(throws: GymError.self) {
            try StepReplyWire.encode(id: 1, leaves: leaves.map(StepReplyWire.Leaf.init), rows: 4, stride: stride,
                                     observations: observations, rewards: [], terminated: [], truncated: [], infos: [], final: nil)
        }
    }

    @Test func encoderCarriesInfosAsSwiftProtobufDoes() throws {
        let info = Gym_V1_EnvInfo.with { $0.envIndex = 2; $0.info = ["lives": Gym_V1_Value(.integer(3))] }
        let written = try StepReplyWire.encode(id: 4, leaves: [StepReplyWire.Leaf(.discrete(n: 2))], rows: 1, stride: 8,
                                               observations: [UInt8](repeating: 1, count: 8), rewards: [0.5], terminated: [1], truncated: [0],
                                               infos: [info], final: .with { $0.envIndices = [0] })
        let decoded = try #require(written.withUnsafeBytes(StepReplyWire.decode))
        #expect(decoded.infos == [info])
        #expect(decoded.final.envIndices == [0])
        Self.expectAgreement(written)
    }

    @Test(arguments: [AutoresetMode.nextStep, .sameStep])
    func decoderReadsWhatSwiftProtobufReads(autoreset: AutoresetMode) throws {
        let batch = try Self.steppedBatch(count: 32, steps: 60, autoreset: autoreset)
        let bytes = try Self.protobufBytes(id: 77, batch)
        let fast = try #require(bytes.withUnsafeBytes(StepReplyWire.decode))
        #expect(fast == (try DecodedStepReply(Gym_V1_Response(serializedBytes: bytes))))
        #expect(fast.id == 77)
        #expect(fast.observations == batch.observationArrays())
    }

    /// Field 100 as a varint, field 101 as fixed64, field 102 length-delimited, field 103 fixed32.
    static let unknownFields: [UInt8] = [0xA0, 0x06, 0x2A, 0xA9, 0x06] + [UInt8](repeating: 7, count: 8)
        + [0xB2, 0x06, 0x03, 1, 2, 3, 0xBD, 0x06, 9, 9, 9, 9]

    @Test func decoderSkipsUnknownFieldsAtEveryLevel() throws {
        let batch = try Self.steppedBatch(count: 4, steps: 3, autoreset: .nextStep)
        var reply = EnvWorker.stepReply(batch)
        // Re-read through swift-protobuf, which keeps unknown fields and writes them back out.
        reply.observations = try reply.observations.map { try Gym_V1_Tensor(serializedBytes: try $0.serializedBytes() + Self.unknownFields) }
        reply.rewards = try Gym_V1_Tensor(serializedBytes: try reply.rewards.serializedBytes() + Self.unknownFields)
        reply = try Gym_V1_StepReply(serializedBytes: try reply.serializedBytes() + Self.unknownFields)
        let response = try Gym_V1_Response(serializedBytes: try Gym_V1_Response.with { $0.id = 5; $0.step = reply }.serializedBytes() + Self.unknownFields)
        let bytes: [UInt8] = try response.serializedBytes()
        #expect(bytes.count > (try Self.protobufBytes(id: 5, batch)).count + 4 * Self.unknownFields.count)
        let fast = try #require(bytes.withUnsafeBytes(StepReplyWire.decode))
        #expect(fast == (try DecodedStepReply(response)))
        #expect(fast.observations == batch.observationArrays())
    }

    @Test func decoderReadsNonCanonicalEncodingsAsSwiftProtobufDoes() throws {
        var writer = WireWriter(capacity: 64)
        // Tensor: shape unpacked, in two pieces, and dtype written twice (the last one counts).
        var tensor = WireWriter(capacity: 32)
        tensor.varintField(1, 3)
        tensor.tag(2, .varint); tensor.varint(2)
        tensor.varintField(1, 1)
        tensor.delimited(2, length: 1); tensor.varint(1)
        tensor.delimited(3, length: 8); tensor.bytes += [0, 0, 128, 63, 0, 0, 0, 64]
        var body = WireWriter(capacity: 64)
        body.delimited(1, length: tensor.bytes.count); body.bytes += tensor.bytes
        body.delimited(3, length: 1); body.bytes += [0]
        body.delimited(3, length: 1); body.bytes += [1]
        // The body first, then the id twice: the last id counts.
        writer.delimited(7, length: body.bytes.count); writer.bytes += body.bytes
        writer.varintField(1, 8)
        writer.varintField(1, 12)
        let bytes = writer.bytes
        let fast = try #require(bytes.withUnsafeBytes(StepReplyWire.decode))
        #expect(fast.id == 12)
        #expect(fast.observations == [NDArray(dtype: .float32, shape: [2, 1], values: [1, 2])])
        #expect(fast.terminated == [1])
        Self.expectAgreement(bytes)
    }

    @Test func decoderLeavesOtherRepliesToSwiftProtobuf() throws {
        let error: [UInt8] = try Gym_V1_Response.failure(id: 3, GymError(.invalidAction, "no")).serializedBytes()
        #expect(error.withUnsafeBytes(StepReplyWire.decode) == nil)
        #expect(error.withUnsafeBytes(StepReplyWire.responseID) == 3)
        let reset: [UInt8] = try Gym_V1_Response.with { $0.id = 4; $0.reset = .init() }.serializedBytes()
        #expect(reset.withUnsafeBytes(StepReplyWire.decode) == nil)
        // Two step fields merge in protobuf; the hand decoder does not try.
        let one: [UInt8] = try Gym_V1_Response.with { $0.id = 4; $0.step = .with { $0.terminated = Data([1]) } }.serializedBytes()
        let merged = one + one.dropFirst(2)
        #expect(merged.withUnsafeBytes(StepReplyWire.decode) == nil)
        Self.expectAgreement(merged)
        // A group (wire type 3) anywhere: swift-protobuf's call.
        #expect((one + [0xA3, 0x06, 0xA4, 0x06]).withUnsafeBytes(StepReplyWire.decode) == nil)
    }

    @Test func hostileBytesNeverTrapAndNeverDisagree() throws {
        let batch = try Self.steppedBatch(count: 8, steps: 25, autoreset: .sameStep)
        let bytes = try Self.protobufBytes(id: 1 << 40, batch)
        // Every truncation.
        for length in 0..<bytes.count { Self.expectAgreement(Array(bytes.prefix(length))) }
        // Seeded random corruption: flipped bytes, huge lengths, over-long varints.
        var generator = SplitMix(seed: 16)
        for _ in 0..<3000 {
            var corrupt = bytes
            for _ in 0...(generator.next() % 4) {
                let index = Int(generator.next() % UInt64(corrupt.count))
                switch generator.next() % 3 {
                case 0: corrupt[index] = UInt8(truncatingIfNeeded: generator.next())
                case 1: corrupt[index] = 0xFF
                default: corrupt.insert(contentsOf: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F], at: index)
                }
            }
            Self.expectAgreement(corrupt)
        }
        // Shapes that overflow or break the limits are swift-protobuf's (and its MALFORMED) to report.
        for shape: [Int64] in [[Int64.max, 2], [-1], [1 << 40, 1 << 40], Array(repeating: 1, count: 9)] {
            let reply: [UInt8] = try Gym_V1_Response.with {
                $0.id = 2
                $0.step = .with { $0.observations = [.with { $0.dtype = .float32; $0.shape = shape; $0.data = Data([1, 2, 3, 4]) }] }
            }.serializedBytes()
            #expect(reply.withUnsafeBytes(StepReplyWire.decode) == nil)
            #expect(throws: GymError.self) { try DecodedStepReply(Gym_V1_Response(serializedBytes: reply)) }
        }
    }

    @Test func varintSizesMatchWhatIsWritten() {
        for value: UInt64 in [0, 1, 127, 128, 16_383, 16_384, 1 << 35, .max] {
            var writer = WireWriter(capacity: 10)
            writer.varint(value)
            #expect(writer.bytes.count == WireWriter.varintSize(value))
            let read = writer.bytes.withUnsafeBytes { raw in
                var reader = WireReader(raw)
                return reader.varint()
            }
            #expect(read == value)
        }
    }
}

/// A small seeded generator, so the corruption test is the same every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
