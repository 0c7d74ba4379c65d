import Foundation
import GymCore
import SwiftProtobuf

/// A `Response` carrying a `StepReply`, written and read by hand on the step path.
///
/// swift-protobuf builds a `Gym_V1_Tensor` (a `Data` copy) per observation leaf and then
/// serializes it (another copy); here the observations go from the batch's buffer into the
/// reply bytes in one pass, and a client reads them into arrays in one pass. The bytes are
/// exactly the ones swift-protobuf writes for the same reply (tested), so any protobuf client
/// reads them. Decoding answers nil for whatever it does not handle itself (an error reply,
/// another body, a repeated singular message, groups, anything malformed); the caller then
/// decodes with swift-protobuf, whose result or error is the answer.
public enum StepReplyWire {
    /// One observation leaf as it sits in a batch's buffer: row-interleaved with the other leaves.
    public struct Leaf: Sendable {
        /// Element type.
        public var dtype: DType
        /// Shape of one row (one env's value).
        public var shape: [Int]
        /// Bytes of one row.
        public var byteCount: Int

        /// A leaf of `space` (a Discrete, Box, MultiDiscrete or MultiBinary).
        public init(_ space: Space) {
            dtype = space.dtype
            shape = space.shape
            byteCount = space.byteCount
        }
    }

    /// The bytes of a `Response` with id `id` and a `StepReply` made of these parts.
    /// `observations` holds `rows` rows of `stride` bytes, each the leaves' values in order.
    /// `final` is left out when nil.
    public static func encode(
        id: UInt64, leaves: [Leaf], rows: Int, stride: Int, observations: [UInt8], rewards: [Double],
        terminated: [UInt8], truncated: [UInt8], infos: [Gym_V1_EnvInfo], final: Gym_V1_FinalObservations?
    ) throws -> [UInt8] {
        let rowBytes = leaves.reduce(0) { $0 + $1.byteCount }
        let (needed, overflow) = rows.multipliedReportingOverflow(by: stride)
        guard rows >= 0, stride >= rowBytes, !overflow, observations.count >= needed else {
            throw GymError(.internalError, "a step reply of \(rows) row(s) of \(stride) bytes cannot come from \(observations.count) bytes")
        }
        let infoBytes: [[UInt8]] = try infos.map { try $0.serializedBytes() }
        let finalBytes: [UInt8]? = try final.map { try $0.serializedBytes() }
        let rewardTensor = tensorSize(dtype: .float64, shape: [rewards.count], dataCount: rewards.count * 8)
        let leafTensors = leaves.map { tensorSize(dtype: $0.dtype, shape: [rows] + $0.shape, dataCount: rows * $0.byteCount) }
        var body = leafTensors.reduce(0) { $0 + WireWriter.delimitedSize($1) } + WireWriter.delimitedSize(rewardTensor)
        body += bytesFieldSize(terminated.count) + bytesFieldSize(truncated.count)
        body += infoBytes.reduce(0) { $0 + WireWriter.delimitedSize($1.count) }
        if let finalBytes { body += WireWriter.delimitedSize(finalBytes.count) }
        var writer = WireWriter(capacity: WireWriter.varintFieldSize(id) + WireWriter.delimitedSize(body))
        writer.varintField(1, id)
        writer.delimited(7, length: body)
        var offset = 0
        for (leaf, size) in zip(leaves, leafTensors) {
            writer.delimited(1, length: size)
            writeTensorHeader(&writer, dtype: leaf.dtype, shape: [rows] + leaf.shape, dataCount: rows * leaf.byteCount)
            observations.withUnsafeBytes { raw in
                if leaves.count == 1 {
                    writer.bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw.prefix(rows * leaf.byteCount)))
                } else {
                    // This leaf's bytes of each row, gathered straight into the reply.
                    for row in 0..<rows {
                        let start = row * stride + offset
                        writer.bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[start..<(start + leaf.byteCount)]))
                    }
                }
            }
            offset += leaf.byteCount
        }
        writer.delimited(2, length: rewardTensor)
        writeTensorHeader(&writer, dtype: .float64, shape: [rewards.count], dataCount: rewards.count * 8)
        rewards.withUnsafeBytes { writer.bytes.append(contentsOf: $0) }
        terminated.withUnsafeBytes { writer.bytesField(3, $0) }
        truncated.withUnsafeBytes { writer.bytesField(4, $0) }
        for info in infoBytes {
            writer.delimited(5, length: info.count)
            writer.bytes.append(contentsOf: info)
        }
        if let finalBytes {
            writer.delimited(6, length: finalBytes.count)
            writer.bytes.append(contentsOf: finalBytes)
        }
        return writer.bytes
    }

    private static func bytesFieldSize(_ count: Int) -> Int { count == 0 ? 0 : WireWriter.delimitedSize(count) }

    private static func packedShapeSize(_ shape: [Int]) -> Int {
        shape.reduce(0) { $0 + WireWriter.varintSize(UInt64(bitPattern: Int64($1))) }
    }

    /// Payload bytes of a Tensor message.
    private static func tensorSize(dtype: DType, shape: [Int], dataCount: Int) -> Int {
        let shapeBytes = packedShapeSize(shape)
        return WireWriter.varintFieldSize(UInt64(dtype.wire.rawValue))
            + (shape.isEmpty ? 0 : WireWriter.delimitedSize(shapeBytes))
            + bytesFieldSize(dataCount)
    }

    /// A Tensor's dtype and shape fields and the tag and length of its data, which the caller appends.
    private static func writeTensorHeader(_ writer: inout WireWriter, dtype: DType, shape: [Int], dataCount: Int) {
        writer.varintField(1, UInt64(dtype.wire.rawValue))
        if !shape.isEmpty {
            writer.delimited(2, length: packedShapeSize(shape))
            for dim in shape { writer.varint(UInt64(bitPattern: Int64(dim))) }
        }
        if dataCount > 0 { writer.delimited(3, length: dataCount) }
    }
}
