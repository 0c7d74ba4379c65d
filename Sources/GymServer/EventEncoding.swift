import Foundation
import GymProtocol
import SwiftProtobuf

/// Builds the event a finished job produces, from the request and the reply the client got.
public enum EventEncoding {
    /// The serialized event (without its sequence number) for a job that succeeded, or nil for
    /// jobs that produce none (render).
    /// `batch` is the make of the job's batch, carried by reset events.
    public static func event(for job: Job, response: Gym_V1_Response, resetSeeds: [UInt64]?, batch: Gym_V1_MakeEvent? = nil) -> [UInt8]? {
        var event = Gym_V1_Event()
        event.time = Date().timeIntervalSince1970
        event.handle = job.handle
        if let client = job.replyTo?.client { event.client = Data(client.bytes) }
        switch (job.kind, response.body) {
        case (.make(let request), .make(let reply)?):
            event.make = makeEvent(request, reply, job.clientDescription)
        case (.reset(let request), .reset(let reply)?):
            event.reset = .with {
                $0.request = request
                $0.seeds = resetSeeds ?? []
                $0.reply = reply
                if let batch { $0.batch = batch }
            }
        case (.step(let request), .step(let reply)?):
            event.step = .with { $0.request = request; $0.reply = reply }
        case (.close(let replied), _):
            event.close = .with { $0.reclaimed = !replied }
        default:
            return nil
        }
        return try? event.serializedBytes()
    }

    /// A batch's make event: the request, the reply, and the maker's description if it gave one.
    static func makeEvent(_ request: Gym_V1_Make, _ reply: Gym_V1_MakeReply, _ description: Gym_V1_ClientDescription?) -> Gym_V1_MakeEvent {
        .with {
            $0.request = request
            $0.reply = reply
            if let description { $0.client = description }
        }
    }

    /// The protobuf bytes of `Event.sequence` (field 1, varint). Prepended to an encoded event,
    /// they set its sequence number: a protobuf parser merges concatenated messages.
    public static func sequencePrefix(_ sequence: UInt64) -> [UInt8] { varintField(0x08, sequence) }

    /// The protobuf bytes of `Event.dropped_episode_ends` (field 5, varint), prepended like the sequence.
    public static func droppedEpisodeEndsPrefix(_ count: UInt64) -> [UInt8] { varintField(0x28, count) }

    /// Episodes a successful reply ends: the steps that terminated or truncated an env.
    static func episodeEnds(in response: Gym_V1_Response) -> UInt64 {
        guard case .step(let reply)? = response.body else { return 0 }
        var ends: UInt64 = 0
        for (terminated, truncated) in zip(reply.terminated, reply.truncated) where terminated != 0 || truncated != 0 { ends += 1 }
        return ends
    }

    private static func varintField(_ tag: UInt8, _ field: UInt64) -> [UInt8] {
        var bytes: [UInt8] = [tag]
        var value = field
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
        return bytes
    }
}
