import Foundation
import GymCore
import SwiftProtobuf

/// A step reply as a client uses it: observations already arrays, flags and rewards as bytes.
/// Made by `StepReplyWire.decode` from the wire, or from a swift-protobuf `Response`; both
/// give equal values for the same bytes.
public struct DecodedStepReply: Equatable, Sendable {
    /// The request id the reply answers.
    public var id: UInt64
    /// One array per observation leaf, checked against `TensorLimits.observation`.
    public var observations: [NDArray]
    /// The rewards tensor's data (float64 little-endian, one per env).
    public var rewardData: [UInt8]
    /// One byte per env.
    public var terminated: [UInt8]
    /// One byte per env.
    public var truncated: [UInt8]
    /// Non-empty infos.
    public var infos: [Gym_V1_EnvInfo]
    /// Same-step mode's final observations (empty otherwise).
    public var final: Gym_V1_FinalObservations

    /// The step reply a decoded `Response` carries; throws its error for an error reply, and
    /// MALFORMED for another body or an observation tensor that breaks the limits.
    public init(_ response: Gym_V1_Response) throws {
        if let error = response.gymError { throw error }
        guard case .step(let reply)? = response.body else {
            throw GymError(.malformed, "expected a step reply to request \(response.id)")
        }
        id = response.id
        observations = try reply.observations.map { try $0.ndarray() }
        rewardData = [UInt8](reply.rewards.data)
        terminated = [UInt8](reply.terminated)
        truncated = [UInt8](reply.truncated)
        infos = reply.infos
        final = reply.final
    }

    init(id: UInt64, observations: [NDArray], rewardData: [UInt8], terminated: [UInt8], truncated: [UInt8],
         infos: [Gym_V1_EnvInfo], final: Gym_V1_FinalObservations) {
        self.id = id
        self.observations = observations
        self.rewardData = rewardData
        self.terminated = terminated
        self.truncated = truncated
        self.infos = infos
        self.final = final
    }
}

extension StepReplyWire {
    /// The id of a `Response` of any of the services (its last field 1), read without decoding
    /// the rest; nil when the bytes are malformed or carry groups.
    public static func responseID(_ bytes: UnsafeRawBufferPointer) -> UInt64? {
        var reader = WireReader(bytes)
        var id: UInt64 = 0
        while !reader.isAtEnd {
            guard let (field, type) = reader.tag() else { return nil }
            if field == 1, type == .varint {
                guard let value = reader.varint() else { return nil }
                id = value
            } else if !reader.skip(type) {
                return nil
            }
        }
        return id
    }

    /// A `Response` holding a `StepReply`, read in one pass; nil when it is anything else or
    /// anything this reader leaves to swift-protobuf (see the type's comment).
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> DecodedStepReply? {
        var reader = WireReader(bytes)
        var id: UInt64 = 0
        var step: WireReader?
        while !reader.isAtEnd {
            guard let (field, type) = reader.tag() else { return nil }
            switch (field, type) {
            case (1, .varint):
                guard let value = reader.varint() else { return nil }
                id = value
            case (7, .lengthDelimited):
                // A second step field would merge into the first: swift-protobuf's business.
                guard step == nil, let inner = reader.delimited() else { return nil }
                step = inner
            case (1...9, _):
                // The error slot, the other bodies, or a known field with a wrong wire type.
                return nil
            default:
                guard reader.skip(type) else { return nil }
            }
        }
        guard var body = step else { return nil }
        return decodeStepReply(&body, id: id)
    }

    private static func decodeStepReply(_ reader: inout WireReader, id: UInt64) -> DecodedStepReply? {
        var observations: [NDArray] = []
        var rewardData: [UInt8]?
        var terminated: [UInt8] = []
        var truncated: [UInt8] = []
        var infos: [Gym_V1_EnvInfo] = []
        var final: Gym_V1_FinalObservations?
        while !reader.isAtEnd {
            guard let (field, type) = reader.tag() else { return nil }
            switch (field, type) {
            case (1, .lengthDelimited):
                guard var inner = reader.delimited(), let array = decodeTensor(&inner) else { return nil }
                observations.append(array)
            case (2, .lengthDelimited):
                guard rewardData == nil, var inner = reader.delimited(), let data = tensorData(&inner) else { return nil }
                rewardData = data
            case (3, .lengthDelimited):
                guard let raw = reader.delimitedBytes() else { return nil }
                terminated = [UInt8](raw)
            case (4, .lengthDelimited):
                guard let raw = reader.delimitedBytes() else { return nil }
                truncated = [UInt8](raw)
            case (5, .lengthDelimited):
                guard let raw = reader.delimitedBytes(), let info = try? Gym_V1_EnvInfo(serializedBytes: [UInt8](raw)) else { return nil }
                infos.append(info)
            case (6, .lengthDelimited):
                guard final == nil, let raw = reader.delimitedBytes(),
                      let value = try? Gym_V1_FinalObservations(serializedBytes: [UInt8](raw)) else { return nil }
                final = value
            case (1...6, _):
                return nil
            default:
                guard reader.skip(type) else { return nil }
            }
        }
        return DecodedStepReply(id: id, observations: observations, rewardData: rewardData ?? [], terminated: terminated,
                                truncated: truncated, infos: infos, final: final ?? Gym_V1_FinalObservations())
    }

    /// A Tensor's fields as swift-protobuf reads them (dtype and data: last wins; shape: packed
    /// or not, appended), then the limits check and one copy of the data.
    static func decodeTensor(_ reader: inout WireReader, limits: TensorLimits = .observation) -> NDArray? {
        guard let (dtypeCode, shape, data) = tensorFields(&reader),
              let dtype = DType(wire: Gym_V1_DType(rawValue: Int(dtypeCode)) ?? .unspecified),
              let (dims, bytes) = try? limits.checkedShape(shape, byteSize: dtype.byteSize),
              bytes == data.count else { return nil }
        return NDArray(dtype: dtype, shape: dims, bytes: [UInt8](data))
    }

    /// A Tensor's data field alone, the rest read and checked for form only.
    private static func tensorData(_ reader: inout WireReader) -> [UInt8]? {
        tensorFields(&reader).map { [UInt8]($0.data) }
    }

    private static func tensorFields(_ reader: inout WireReader) -> (dtype: UInt64, shape: [Int64], data: UnsafeRawBufferPointer)? {
        var dtype: UInt64 = 0
        var shape: [Int64] = []
        var data = UnsafeRawBufferPointer(start: nil, count: 0)
        while !reader.isAtEnd {
            guard let (field, type) = reader.tag() else { return nil }
            switch (field, type) {
            case (1, .varint):
                guard let value = reader.varint() else { return nil }
                dtype = value
            case (2, .lengthDelimited):
                guard var packed = reader.delimited() else { return nil }
                while !packed.isAtEnd {
                    guard shape.count < WireLimits.maxTensorRank, let dim = packed.varint() else { return nil }
                    shape.append(Int64(bitPattern: dim))
                }
            case (2, .varint):
                guard shape.count < WireLimits.maxTensorRank, let dim = reader.varint() else { return nil }
                shape.append(Int64(bitPattern: dim))
            case (3, .lengthDelimited):
                guard let raw = reader.delimitedBytes() else { return nil }
                data = raw
            case (1...3, _):
                return nil
            default:
                guard reader.skip(type) else { return nil }
            }
        }
        // An enum value beyond Int32 is truncated by swift-protobuf; leave such oddities to it.
        guard dtype <= UInt64(Int32.max) else { return nil }
        return (dtype, shape, data)
    }
}
