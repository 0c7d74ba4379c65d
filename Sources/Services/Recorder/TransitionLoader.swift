import Foundation
import GymClient
import GymCore
import GymProtocol

/// Loads a recording's transitions into a replay-buffer table (`gym replay --to-buffer`), for
/// warm starts and offline learning.
///
/// Every step of every selected episode becomes one item with the columns `obs`, `action`,
/// `reward` (float64), `next_obs`, `terminated` and `truncated` (bool), inserted in batches.
public struct TransitionLoader {
    /// What was loaded.
    public struct Outcome: Sendable {
        public var episodes = 0
        public var transitions = 0
        public var inserts = 0
        public var tableSize: UInt64 = 0
    }

    private let reader: RecordingReader
    private let client: BufferClient
    private let table: String
    private let batchSize: Int

    /// A loader from `reader` into `table` through `client`, `batchSize` items per insert.
    public init(reader: RecordingReader, client: BufferClient, table: String, batchSize: Int = 4096) {
        self.reader = reader
        self.client = client
        self.table = table
        self.batchSize = max(1, batchSize)
    }

    /// Creates the table (uniform, holding `maxSize` items) unless it exists, then inserts the
    /// transitions of the episodes `filter` selects (or only episode `only`), waiting up to
    /// `timeout` seconds per insert.
    public func load(_ filter: EpisodeFilter, only: Int64? = nil, maxSize: Int, timeout: Double) throws -> Outcome {
        if try !client.tables().contains(where: { $0.config.name == table }) {
            try client.createTable(TableConfig(name: table, selector: .uniform, maxSize: maxSize))
        }
        var outcome = Outcome()
        var pending = Pending()
        let selected = try only.map { id in try reader.episodes().filter { $0.id == id } } ?? reader.episodes(filter)
        if let only, selected.isEmpty { throw GymError(.invalidArgument, "no episode \(only) in the recording") }
        let envs = Set(selected.map(\.envID))
        guard envs.count <= 1 else {
            throw GymError(.invalidArgument, "the episodes are of \(envs.sorted().joined(separator: ", ")): a table holds one environment's transitions, pick one with --env")
        }
        for summary in selected where summary.length > 0 {
            let episode = try reader.episode(summary.id)
            guard episode.spec.observationSpace.leaves.count == 1, episode.spec.actionSpace.leaves.count == 1 else {
                throw GymError(.notSupported, "episode \(summary.id): \(episode.spec.id) has a composite space; only single-array observations and actions load into a buffer")
            }
            pending.add(episode)
            outcome.episodes += 1
            outcome.transitions += summary.length
            if pending.count >= batchSize { outcome.tableSize = try flush(&pending, into: &outcome, timeout: timeout) }
        }
        if pending.count > 0 { outcome.tableSize = try flush(&pending, into: &outcome, timeout: timeout) }
        return outcome
    }

    private func flush(_ pending: inout Pending, into outcome: inout Outcome, timeout: Double) throws -> UInt64 {
        guard let shape = pending.shape else { return outcome.tableSize }
        let n = pending.count
        let columns = [
            TensorColumn("obs", NDArray(dtype: shape.observationDType, shape: [n] + shape.observationShape, bytes: pending.observations)),
            TensorColumn("action", NDArray(dtype: shape.actionDType, shape: [n] + shape.actionShape, bytes: pending.actions)),
            TensorColumn("reward", NDArray(dtype: .float64, shape: [n], bytes: pending.rewards.withUnsafeBytes { Array($0) })),
            TensorColumn("next_obs", NDArray(dtype: shape.observationDType, shape: [n] + shape.observationShape, bytes: pending.nextObservations)),
            TensorColumn("terminated", NDArray(dtype: .bool, shape: [n], bytes: pending.terminated)),
            TensorColumn("truncated", NDArray(dtype: .bool, shape: [n], bytes: pending.truncated)),
        ]
        let reply = try client.insert(table: table, columns: columns, timeout: timeout)
        outcome.inserts += 1
        pending = Pending()
        return UInt64(reply.tableSize)
    }

    /// Transitions gathered for the next insert.
    private struct Pending {
        struct Shape: Equatable {
            var observationDType: DType
            var observationShape: [Int]
            var actionDType: DType
            var actionShape: [Int]

            init(_ spec: EnvSpec) {
                observationDType = spec.observationSpace.leaves[0].dtype
                observationShape = spec.observationSpace.leaves[0].shape
                actionDType = spec.actionSpace.leaves[0].dtype
                actionShape = spec.actionSpace.leaves[0].shape
            }
        }

        var shape: Shape?
        var count = 0
        var observations: [UInt8] = []
        var nextObservations: [UInt8] = []
        var actions: [UInt8] = []
        var rewards: [Double] = []
        var terminated: [UInt8] = []
        var truncated: [UInt8] = []

        mutating func add(_ episode: RecordedEpisode) {
            shape = Shape(episode.spec)
            let length = episode.summary.length
            let stride = episode.observations.count / (length + 1)
            observations += episode.observations[0..<(length * stride)]
            nextObservations += episode.observations[stride..<((length + 1) * stride)]
            actions += episode.actions
            rewards += episode.rewards
            terminated += episode.terminated
            truncated += episode.truncated
            count += length
        }
    }
}
