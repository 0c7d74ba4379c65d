import Foundation
import GymCore
import GymProtocol

/// One row of the episodes table.
public struct EpisodeSummary: Sendable {
    public var id: Int64
    public var batchID: Int64
    public var envIndex: Int
    public var envID: String
    public var client: String
    public var seed: UInt64?
    public var startKind: String
    public var lineageID: Int64?
    public var lineageIndex: Int?
    public var length: Int
    public var totalReturn: Double
    public var terminated: Bool
    public var truncated: Bool
    public var endKind: String
    public var maxEpisodeSteps: Int
    public var startTime: Double
    public var endTime: Double
    /// The run of the client that made the batch (its hello's description); nil when it gave none.
    public var run: String? = nil
    /// The algorithm that client named; nil when it gave none.
    public var algorithm: String? = nil
    /// The client's role (`train`, `validate`, `eval`, `worker`); nil when it gave none.
    public var role: String? = nil
}
