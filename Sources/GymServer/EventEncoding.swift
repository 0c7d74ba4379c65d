import Foundation
import GymProtocol
import SwiftProtobuf

/// Builds the event a finished job produces, from the request and the reply the client got.
public enum EventEncoding {
    /// The serialized event (without its sequence number) for a job that succeeded, or nil for
    /// jobs that produce none (render).
    public static func event(for job: Job, response: Gym_V1_Response, resetSeeds: [UInt64]?) -> [UInt8]? {
        var event = Gym_V1_Event()
        event.time = Date().timeIntervalSince1970
        event.handle = job.handle
        if let client = job.replyTo?.client { event.client = Data(client.bytes) }
        switch (job.kind, response.body) {
        case (.make(let request), .make(let reply)?):
            event.make = .with { $0.request = request; $0.reply = reply }
        case (.reset(let request), .reset(let reply)?):
            event.reset = .with { $0.request = request; $0.seeds = resetSeeds ?? []; $0.reply = reply }
        case (.step(let request), .step(let reply)?):
            event.step = .with { $0.request = request; $0.reply = reply }
        case (.close(let replied), _):
            event.close = .with { $0.reclaimed = !replied }
        default:
            return nil
        }
        return try? event.serializedBytes()
    }

    /// The protobuf bytes of `Event.sequence` (field 1, varint). Prepended to an encoded event,
    /// they set its sequence number: a protobuf parser merges concatenated messages.
    public static func sequencePrefix(_ sequence: UInt64) -> [UInt8] {
        var bytes: [UInt8] = [0x08]
        var value = sequence
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
        return bytes
    }
}
