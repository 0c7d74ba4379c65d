import Foundation
import GymClient
import GymCore

/// Re-simulates recorded episodes against a daemon and compares them bit for bit.
///
/// An episode whose reset was not seeded continued its env's generator, so it is replayed with
/// its lineage: from the last seeded reset of its env slot, every episode in between is reset
/// (without a seed, as autoreset did) and stepped with its recorded actions.
public final class EpisodeResimulator {
    private let connection: GymConnection
    private let reader: RecordingReader

    /// Re-simulates through `connection` the episodes of `reader`.
    public init(connection: GymConnection, reader: RecordingReader) {
        self.connection = connection
        self.reader = reader
    }

    /// Verifies every episode of one lineage (the seeded episode and those after it), or only
    /// up to `lastIndex`. `onFrame` (episode id, step, frame) renders the episodes it names.
    public func verify(lineage lineageID: Int64, through lastIndex: Int? = nil, render: Set<Int64> = [],
                       onFrame: (Int64, Int, RGBFrame) throws -> Void = { _, _, _ in }) throws -> [VerificationResult] {
        var chain = try reader.lineage(lineageID)
        if let lastIndex { chain = chain.filter { ($0.lineageIndex ?? 0) <= lastIndex } }
        guard let root = chain.first, root.id == lineageID, root.seed != nil else {
            throw GymError(.invalidArgument, "the seeded episode \(lineageID) that starts this lineage is not in the recording")
        }
        for (position, member) in chain.enumerated() where member.lineageIndex != position {
            throw GymError(.invalidArgument, "lineage \(lineageID) is missing episode number \(position) (found \(member.lineageIndex ?? -1)); cannot re-simulate past it")
        }
        let first = try reader.episode(root.id)
        let env = try RemoteVectorEnv(
            connection: connection, id: first.spec.id, count: 1, kwargs: try first.make.kwargs.valueMap(),
            maxEpisodeSteps: root.maxEpisodeSteps, autoreset: .disabled)
        defer { try? env.close() }
        var results: [VerificationResult] = []
        for member in chain {
            let episode = member.id == root.id ? first : try reader.episode(member.id)
            results.append(try replay(episode, on: env, rendering: render.contains(member.id), onFrame: onFrame))
        }
        return results
    }

    /// Verifies one episode through its lineage; returns its result.
    public func verify(episode id: Int64, render: Bool = false, onFrame: (Int64, Int, RGBFrame) throws -> Void = { _, _, _ in }) throws -> VerificationResult {
        let summary = try reader.episode(id).summary
        guard let lineageID = summary.lineageID, let index = summary.lineageIndex else {
            throw GymError(.invalidArgument, "episode \(id) cannot be re-simulated: the recorder did not see the seeded reset it descends from")
        }
        let results = try verify(lineage: lineageID, through: index, render: render ? [id] : [], onFrame: onFrame)
        guard let result = results.last, result.episodeID == id else {
            throw GymError(.internalError, "episode \(id) was not reached in lineage \(lineageID)")
        }
        return result
    }

    private func replay(_ episode: RecordedEpisode, on env: RemoteVectorEnv, rendering: Bool,
                        onFrame: (Int64, Int, RGBFrame) throws -> Void) throws -> VerificationResult {
        let id = episode.summary.id
        let observationLeaves = episode.spec.observationSpace.leaves
        let actionLeaves = episode.spec.actionSpace.leaves
        let observationStride = observationLeaves.reduce(0) { $0 + $1.byteCount }
        let actionStride = actionLeaves.reduce(0) { $0 + $1.byteCount }
        func recordedObservation(_ t: Int) -> ArraySlice<UInt8> {
            episode.observations[(t * observationStride)..<((t + 1) * observationStride)]
        }
        func result(_ t: Int, _ difference: String?) -> VerificationResult {
            VerificationResult(episodeID: id, stepsCompared: t, difference: difference.map { "step \(t): \($0)" })
        }
        guard episode.observations.count == (episode.summary.length + 1) * observationStride,
              episode.actions.count == episode.summary.length * actionStride else {
            return result(0, "the stored arrays do not match the episode's length \(episode.summary.length)")
        }
        let reset = try env.reset(seeds: episode.summary.seed.map { [$0] } ?? [], options: episode.options)
        if let difference = Self.compare(reset.observations, recordedObservation(0), leaves: observationLeaves) {
            return result(0, "reset observation differs: \(difference)")
        }
        if rendering { try onFrame(id, 0, try env.render()) }
        for t in 0..<episode.summary.length {
            let action = episode.actions[(t * actionStride)..<((t + 1) * actionStride)]
            var offset = action.startIndex
            let arrays = actionLeaves.map { leaf -> NDArray in
                defer { offset += leaf.byteCount }
                return NDArray(dtype: leaf.dtype, shape: [1] + leaf.shape, bytes: Array(action[offset..<(offset + leaf.byteCount)]))
            }
            let step = try env.step(arrays)
            if let difference = Self.compare(step.observations, recordedObservation(t + 1), leaves: observationLeaves) {
                return result(t + 1, "observation differs: \(difference)")
            }
            let reward = step.rewards.first ?? .nan
            if reward.bitPattern != episode.rewards[t].bitPattern {
                return result(t + 1, "reward differs: recorded \(episode.rewards[t]), re-simulated \(reward)")
            }
            let terminated: UInt8 = step.terminated.first == true ? 1 : 0
            let truncated: UInt8 = step.truncated.first == true ? 1 : 0
            if terminated != episode.terminated[t] || truncated != episode.truncated[t] {
                return result(t + 1, "end flags differ: recorded terminated=\(episode.terminated[t]) truncated=\(episode.truncated[t]), re-simulated terminated=\(terminated) truncated=\(truncated)")
            }
            if rendering { try onFrame(id, t + 1, try env.render()) }
        }
        return result(episode.summary.length + 1, nil)
    }

    /// Nil when the re-simulated leaves hold exactly the recorded bytes, else what differs.
    static func compare(_ arrays: [NDArray], _ recorded: ArraySlice<UInt8>, leaves: [Space]) -> String? {
        let got = arrays.flatMap(\.bytes)
        guard !got.elementsEqual(recorded) else { return nil }
        func describe(_ bytes: [UInt8]) -> String {
            guard leaves.count == 1, let leaf = leaves.first, bytes.count == leaf.byteCount else { return "\(bytes.count) bytes" }
            return "\(NDArray(dtype: leaf.dtype, shape: leaf.shape, bytes: bytes).doubles)"
        }
        return "recorded \(describe(Array(recorded))), re-simulated \(describe(got))"
    }
}
