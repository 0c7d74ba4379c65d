import Foundation
import GymCore
import GymProtocol

/// Where the assembler's results go (the SQLite store, or a test's collector).
public protocol EpisodeSink: AnyObject {
    /// A batch was made; `make` and `spec` are the serialized request and spec.
    func made(_ batch: BatchRecord, seed: UInt64?, make: [UInt8], spec: [UInt8], time: Double) throws
    /// A batch was closed.
    func closed(_ batch: BatchRecord, time: Double) throws
    /// An episode ended (in any way) and is complete.
    func finished(_ episode: EpisodeBuffer) throws
}

/// Turns the daemon's event stream into whole episodes, one env slot at a time.
///
/// Tracks, per env of every batch, the running episode and its lineage (the last seeded reset
/// of that slot), applies the autoreset mode the batch was made with, and detects sequence gaps:
/// episodes running across a gap are dropped whole and counted, never stored with holes.
///
/// A batch made before the recorder attached is recorded from its next reset (reset events
/// carry their batch's make). The running episodes' arrays are bounded by `maxBufferedBytes`:
/// past it the largest running episode is dropped and counted (`cappedEpisodes`).
public final class EpisodeAssembler {
    /// What the assembler has seen and done.
    public struct Counters: Sendable {
        /// Events read (stream notices included).
        public var events: UInt64 = 0
        /// Events the sequence numbers say were lost.
        public var lostEvents: UInt64 = 0
        /// Transitions (steps with an action) in finished episodes handed to the sink.
        public var steps: UInt64 = 0
        /// Next-step autoreset steps (they start an episode and carry no transition).
        public var autoresetSteps: UInt64 = 0
        /// Episodes handed to the sink.
        public var episodes: UInt64 = 0
        /// Env-steps of slots whose episode start was not seen (attached mid-episode, or after a gap).
        public var skippedSteps: UInt64 = 0
        /// Episodes dropped because events were lost while they ran (running across a gap, or
        /// begun inside one and ended after it), and the steps of those that were running.
        public var discardedEpisodes: UInt64 = 0
        public var discardedSteps: UInt64 = 0
        /// Running episodes dropped because the running episodes held more than `maxBufferedBytes`, and their steps then.
        public var cappedEpisodes: UInt64 = 0
        public var cappedSteps: UInt64 = 0
        /// Episodes that ended inside events the daemon dropped while this recorder was attached
        /// (from `Event.dropped_episode_ends`): no subscriber has them.
        public var daemonDroppedEpisodes: UInt64 = 0
        /// Batches first seen at a reset (made before the recorder attached).
        public var batchesJoinedAtReset: UInt64 = 0
        /// Bytes the running episodes hold now, and the most they held.
        public var bufferedBytes: Int = 0
        public var peakBufferedBytes: Int = 0
        /// Every episode the recorder knows it did not store.
        public var droppedEpisodes: UInt64 { discardedEpisodes + cappedEpisodes + daemonDroppedEpisodes }
        /// Times a subscriber-attached notice arrived, and the daemon's drop count in the last one.
        public var attachments: UInt64 = 0
        public var daemonDroppedEvents: UInt64 = 0
        /// Subscribers the daemon cut off for not reading, from its last `StreamAttached` notice.
        public var daemonDetachedSubscribers: UInt64 = 0
    }

    private struct Slot {
        var episode: EpisodeBuffer?
        var awaitingAutoreset = false
        var lineage: (id: Int64, index: Int)?
        /// The slot's episode is not being recorded (lost events, or dropped by the cap) until
        /// the slot's next episode end or reset.
        var lost = false
        /// The episode not being recorded is already counted; its end must not count again.
        var lostEpisodeCounted = false
    }

    private final class BatchState {
        let record: BatchRecord
        var slots: [Slot]
        init(record: BatchRecord) {
            self.record = record
            slots = Array(repeating: Slot(), count: record.numEnvs)
        }
    }

    /// Counts so far.
    public private(set) var counters = Counters()
    private let sink: EpisodeSink
    private var batches: [UInt64: BatchState] = [:]
    private var nextEpisodeID: Int64
    private var nextBatchID: Int64
    private var lastSequence: UInt64?
    private var lastDroppedEpisodeEnds: UInt64?
    /// The daemon's time of the last event consumed.
    public private(set) var lastEventTime: Double?
    /// Most bytes the running episodes' arrays may hold.
    public let maxBufferedBytes: Int
    /// Most envs one batch may have (the event is hostile input like any other).
    public static let maxEnvsPerBatch = 1 << 16

    /// An assembler numbering new episodes and batches after the given ids.
    public init(sink: EpisodeSink, firstEpisodeID: Int64 = 1, firstBatchID: Int64 = 1, maxBufferedBytes: Int = 512 << 20) {
        self.sink = sink
        self.maxBufferedBytes = max(1, maxBufferedBytes)
        nextEpisodeID = firstEpisodeID
        nextBatchID = firstBatchID
    }

    /// Consumes one serialized event.
    public func consume(_ bytes: UnsafeRawBufferPointer) throws {
        let event = try Gym_V1_Event(serializedBytes: bytes)
        try consume(event)
    }

    /// Consumes one event.
    public func consume(_ event: Gym_V1_Event) throws {
        counters.events += 1
        lastEventTime = event.time
        // `last < max` first: a peer's sequence of 2^64-1 must not overflow the next one.
        if let last = lastSequence, last < UInt64.max, event.sequence > last + 1 {
            counters.lostEvents += event.sequence - last - 1
            discardRunning()
        }
        lastSequence = max(lastSequence ?? 0, event.sequence)
        noteDaemonDrops(event.droppedEpisodeEnds)
        switch event.body {
        case .make(let body): try made(body, event: event)
        case .reset(let body): try reset(body, event: event)
        case .step(let body): try step(body, event: event)
        case .close: try close(event)
        case .attached(let notice):
            counters.attachments += 1
            counters.daemonDroppedEvents = notice.droppedEvents
            counters.daemonDetachedSubscribers = notice.detachedSubscribers
        case nil: break
        }
    }

    /// Hands every running episode to the sink as `recorder_stopped` (for a graceful stop).
    public func finishRunning() throws {
        for state in batches.values {
            for index in state.slots.indices {
                if let episode = state.slots[index].episode {
                    release(episode)
                    try finish(episode, as: .recorderStopped)
                    state.slots[index].episode = nil
                }
            }
        }
    }

    /// The daemon's cumulative count of episode ends inside dropped events: what grew while
    /// this recorder was attached (the first value seen is the baseline; a smaller one means
    /// a restarted daemon and becomes the new baseline).
    private func noteDaemonDrops(_ total: UInt64) {
        defer { lastDroppedEpisodeEnds = total }
        guard let last = lastDroppedEpisodeEnds, total > last else { return }
        counters.daemonDroppedEpisodes += total - last
    }

    /// Episodes currently running.
    public var runningEpisodes: Int { batches.values.reduce(0) { $0 + $1.slots.filter { $0.episode != nil }.count } }

    // MARK: Events

    private func made(_ make: Gym_V1_MakeEvent, event: Gym_V1_Event) throws {
        if let previous = batches.removeValue(forKey: event.handle) { try release(previous) }
        let numEnvs = Int(make.reply.numEnvs)
        guard (1...Self.maxEnvsPerBatch).contains(numEnvs) else {
            throw GymError(.malformed, "make event for handle \(event.handle) has \(numEnvs) envs (1...\(Self.maxEnvsPerBatch) recorded)")
        }
        let spec = try make.reply.spec.envSpec()
        let record = BatchRecord(
            id: nextBatchID, handle: event.handle, client: Self.hex(event.client), envID: spec.id,
            kwargsJSON: ValueJSON.text(try make.request.kwargs.valueMap()), numEnvs: Int(make.reply.numEnvs),
            maxEpisodeSteps: Int(make.reply.maxEpisodeSteps), autoreset: AutoresetMode(wire: make.reply.autoreset) ?? .nextStep,
            observationLayout: ArrayLayout(spec.observationSpace), actionLayout: ArrayLayout(spec.actionSpace),
            maker: make.hasClient ? try make.client.checked() : nil)
        nextBatchID += 1
        batches[event.handle] = BatchState(record: record)
        try sink.made(record, seed: make.request.hasSeed ? make.request.seed : nil,
                      make: try make.request.serializedBytes(), spec: try make.reply.spec.serializedBytes(), time: event.time)
    }

    /// Drops a batch's running episodes without storing them (its handle was made again).
    private func release(_ state: BatchState) throws {
        for slot in state.slots { if let episode = slot.episode { release(episode) } }
    }

    private func reset(_ reset: Gym_V1_ResetEvent, event: Gym_V1_Event) throws {
        if batches[event.handle] == nil, reset.hasBatch {
            // Made before this recorder attached: record it from this reset on.
            try made(reset.batch, event: event)
            counters.batchesJoinedAtReset += 1
        }
        guard let state = batches[event.handle] else { return }
        let record = state.record
        let observations = Self.leaves(reset.reply.observations)
        let infos = try Self.infos(reset.reply.infos)
        let options = reset.request.options.isEmpty ? nil : ValueJSON.text(try reset.request.options.valueMap())
        for index in 0..<record.numEnvs {
            if let running = state.slots[index].episode {
                running.endTime = event.time
                release(running)
                try finish(running, as: .reset)
            }
            let seed = reset.seeds.count == record.numEnvs ? reset.seeds[index] : nil
            let episode = start(state, index, seed: seed, options: options, kind: .reset, time: event.time)
            append(observations, row: index, leafBytes: record.observationLayout.leafBytes, to: &episode.observations)
            if let info = infos[index] { episode.infos.append((0, info)) }
            grow(episode)
        }
        enforceCap()
    }

    private func step(_ step: Gym_V1_StepEvent, event: Gym_V1_Event) throws {
        guard let state = batches[event.handle] else {
            counters.skippedSteps += UInt64(step.reply.terminated.count)
            return
        }
        let record = state.record
        let count = record.numEnvs
        let obsLayout = record.observationLayout
        let observationRows = Self.rows(step.reply.observations, leafBytes: obsLayout.leafBytes, count: count)
        let actionRows = Self.rows(step.request.actions, leafBytes: record.actionLayout.leafBytes, count: count)
        let rewardBytes = [UInt8](step.reply.rewards.data)
        let terminated = [UInt8](step.reply.terminated)
        let truncated = [UInt8](step.reply.truncated)
        guard observationRows.count == count * obsLayout.stride, actionRows.count == count * record.actionLayout.stride,
              rewardBytes.count == count * 8, terminated.count == count, truncated.count == count else {
            throw GymError(.malformed, "step event for handle \(event.handle) does not match its batch of \(count)")
        }
        let infos = step.reply.infos.isEmpty ? [:] : try Self.infos(step.reply.infos)
        // An event is input like any other: repeated indices or short final rows are malformed, not a trap.
        let finalRows = Dictionary(step.reply.final.envIndices.enumerated().map { (Int($0.element), $0.offset) }, uniquingKeysWith: { first, _ in first })
        let finalObservations = finalRows.isEmpty ? [] : Self.rows(step.reply.final.observations, leafBytes: obsLayout.leafBytes, count: finalRows.count)
        guard finalRows.count == step.reply.final.envIndices.count, finalObservations.count == finalRows.count * obsLayout.stride else {
            throw GymError(.malformed, "step event for handle \(event.handle) has inconsistent final observations")
        }
        let finalInfos = finalRows.isEmpty ? [:] : try Self.infos(step.reply.final.infos)
        let time = event.time
        let obsStride = obsLayout.stride
        let actionStride = record.actionLayout.stride
        try observationRows.withUnsafeBytes { observations in
            try actionRows.withUnsafeBytes { actions in
                try rewardBytes.withUnsafeBytes { rewards in
                    for index in 0..<count {
                        let observation = UnsafeRawBufferPointer(rebasing: observations[(index * obsStride)..<((index + 1) * obsStride)])
                        if state.slots[index].awaitingAutoreset {
                            // Next-step autoreset: this step only reset the env; its action was ignored.
                            counters.autoresetSteps += 1
                            begin(state, index, kind: .nextStep, observation: observation, info: infos[index], time: time)
                            continue
                        }
                        let ended = terminated[index] != 0 || truncated[index] != 0
                        guard let episode = state.slots[index].episode else {
                            counters.skippedSteps += 1
                            guard ended, state.slots[index].lost else { continue }
                            // The end of an episode that is not being recorded: count it unless it
                            // was counted when it was dropped, and record the slot's next one.
                            if !state.slots[index].lostEpisodeCounted { counters.discardedEpisodes += 1 }
                            state.slots[index].lost = false
                            state.slots[index].lostEpisodeCounted = false
                            afterEnd(state, index, observation: observation, info: infos[index], time: time)
                            continue
                        }
                        var info = infos[index]
                        let action = UnsafeRawBufferPointer(rebasing: actions[(index * actionStride)..<((index + 1) * actionStride)])
                        let reward = rewards.loadUnaligned(fromByteOffset: index * 8, as: Double.self)
                        if ended, record.autoreset == .sameStep, let row = finalRows[index] {
                            // Same-step autoreset: the episode's last observation travels in `final`.
                            info = finalInfos[index]
                            finalObservations.withUnsafeBytes { final in
                                episode.appendStep(action: action, observation: UnsafeRawBufferPointer(rebasing: final[(row * obsStride)..<((row + 1) * obsStride)]),
                                                   reward: reward, terminated: terminated[index], truncated: truncated[index], time: time)
                            }
                        } else {
                            episode.appendStep(action: action, observation: observation, reward: reward,
                                               terminated: terminated[index], truncated: truncated[index], time: time)
                        }
                        if let info { episode.infos.append((episode.length, info)) }
                        counters.bufferedBytes += obsStride + actionStride + EpisodeBuffer.bytesPerStep
                        guard ended else { continue }
                        release(episode)
                        try finish(episode, as: terminated[index] != 0 ? .terminated : .truncated)
                        state.slots[index].episode = nil
                        afterEnd(state, index, observation: observation, info: infos[index], time: time)
                    }
                }
            }
        }
        enforceCap()
    }

    private func close(_ event: Gym_V1_Event) throws {
        guard let state = batches.removeValue(forKey: event.handle) else { return }
        for slot in state.slots {
            if let episode = slot.episode {
                episode.endTime = event.time
                release(episode)
                try finish(episode, as: .closed)
            }
        }
        try sink.closed(state.record, time: event.time)
    }

    // MARK: Episodes

    /// What follows the end of slot `index`'s episode: a next-step autoreset comes with the next
    /// step; a same-step one starts the next episode from this step's observation and info.
    private func afterEnd(_ state: BatchState, _ index: Int, observation: UnsafeRawBufferPointer, info: ValueMap?, time: Double) {
        switch state.record.autoreset {
        case .nextStep: state.slots[index].awaitingAutoreset = true
        case .sameStep: begin(state, index, kind: .sameStep, observation: observation, info: info, time: time)
        case .disabled: break
        }
    }

    /// Starts slot `index`'s next episode after an autoreset, from its first observation and info.
    private func begin(_ state: BatchState, _ index: Int, kind: EpisodeBuffer.StartKind, observation: UnsafeRawBufferPointer,
                       info: ValueMap?, time: Double) {
        let episode = start(state, index, seed: nil, options: nil, kind: kind, time: time)
        episode.appendObservation(observation)
        if let info { episode.infos.append((0, info)) }
        grow(episode)
    }

    private func start(_ state: BatchState, _ index: Int, seed: UInt64?, options: String?,
                       kind: EpisodeBuffer.StartKind, time: Double) -> EpisodeBuffer {
        let id = nextEpisodeID
        nextEpisodeID += 1
        var slot = state.slots[index]
        if seed != nil {
            slot.lineage = (id, 0)
        } else if let lineage = slot.lineage {
            slot.lineage = (lineage.id, lineage.index + 1)
        }
        let episode = EpisodeBuffer(id: id, batch: state.record, envIndex: index, seed: seed, optionsJSON: options,
                                    startKind: kind, lineageID: slot.lineage?.id, lineageIndex: slot.lineage?.index, time: time)
        episode.times.append(time)
        slot.episode = episode
        slot.awaitingAutoreset = false
        slot.lost = false
        slot.lostEpisodeCounted = false
        state.slots[index] = slot
        return episode
    }

    /// Counts a started episode's first observation into the buffered bytes (after it is appended).
    private func grow(_ episode: EpisodeBuffer) {
        counters.bufferedBytes += episode.batch.observationLayout.stride + EpisodeBuffer.bytesPerObservation
    }

    /// Takes an episode that leaves memory (stored or dropped) out of the buffered bytes.
    private func release(_ episode: EpisodeBuffer) {
        counters.bufferedBytes = max(0, counters.bufferedBytes - episode.byteCount)
    }

    /// Past the cap, drops the largest running episodes (counted) until a tenth under it; their
    /// slots record again from their next episode.
    private func enforceCap() {
        counters.peakBufferedBytes = max(counters.peakBufferedBytes, counters.bufferedBytes)
        guard counters.bufferedBytes > maxBufferedBytes else { return }
        var running: [(bytes: Int, state: BatchState, index: Int)] = []
        for state in batches.values {
            for (index, slot) in state.slots.enumerated() {
                if let episode = slot.episode { running.append((episode.byteCount, state, index)) }
            }
        }
        running.sort { $0.bytes > $1.bytes }
        let target = maxBufferedBytes - maxBufferedBytes / 10
        for entry in running where counters.bufferedBytes > target {
            guard let episode = entry.state.slots[entry.index].episode else { continue }
            release(episode)
            counters.cappedEpisodes += 1
            counters.cappedSteps += UInt64(episode.length)
            entry.state.slots[entry.index].episode = nil
            entry.state.slots[entry.index].lost = true
            entry.state.slots[entry.index].lostEpisodeCounted = true
        }
    }

    private func finish(_ episode: EpisodeBuffer, as kind: EpisodeBuffer.EndKind) throws {
        episode.endKind = kind
        episode.batch.noteFinished(length: episode.length)
        counters.episodes += 1
        counters.steps += UInt64(episode.length)
        try sink.finished(episode)
    }

    /// After lost events nothing running can be trusted: drop those episodes (counted), and forget
    /// each slot's lineage and autoreset state; a slot records again from its next episode end
    /// (whose episode counts as discarded unless it is the one counted here) or reset.
    private func discardRunning() {
        for state in batches.values {
            for index in state.slots.indices {
                let episode = state.slots[index].episode
                if let episode {
                    release(episode)
                    counters.discardedEpisodes += 1
                    counters.discardedSteps += UInt64(episode.length)
                }
                // An episode counted at an earlier gap may still be running: it stays counted.
                let counted = episode != nil || (state.slots[index].lost && state.slots[index].lostEpisodeCounted)
                state.slots[index] = Slot(lost: true, lostEpisodeCounted: counted)
            }
        }
    }

    // MARK: Arrays

    private static func leaves(_ tensors: [Gym_V1_Tensor]) -> [[UInt8]] {
        tensors.map { [UInt8]($0.data) }
    }

    /// The values of `count` envs back to back, each with its leaves interleaved as stored.
    private static func rows(_ tensors: [Gym_V1_Tensor], leafBytes: [Int], count: Int) -> [UInt8] {
        if tensors.count == 1 { return [UInt8](tensors[0].data) }
        let leaves = tensors.map { [UInt8]($0.data) }
        var rows: [UInt8] = []
        rows.reserveCapacity(count * leafBytes.reduce(0, +))
        for row in 0..<count {
            for (leaf, size) in zip(leaves, leafBytes) where (row + 1) * size <= leaf.count {
                rows.append(contentsOf: leaf[(row * size)..<((row + 1) * size)])
            }
        }
        return rows
    }

    private func append(_ leaves: [[UInt8]], row: Int, leafBytes: [Int], to buffer: inout [UInt8]) {
        for (leaf, size) in zip(leaves, leafBytes) {
            let start = row * size
            guard start + size <= leaf.count else { continue }
            buffer.append(contentsOf: leaf[start..<(start + size)])
        }
    }

    private static func infos(_ wire: [Gym_V1_EnvInfo]) throws -> [Int: ValueMap] {
        var result: [Int: ValueMap] = [:]
        for entry in wire where !entry.info.isEmpty { result[Int(entry.envIndex)] = try entry.info.valueMap() }
        return result
    }

    static func hex(_ data: Data) -> String {
        let digits = Array("0123456789abcdef")
        return String(data.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }
}
