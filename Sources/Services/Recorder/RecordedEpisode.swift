import Foundation
import GymCore
import GymProtocol

/// An episode with everything needed to re-simulate it.
public struct RecordedEpisode: Sendable {
    public var summary: EpisodeSummary
    /// The `make` request of its batch (kwargs as sent).
    public var make: Gym_V1_Make
    /// The environment's spec as the daemon reported it.
    public var spec: EnvSpec
    /// Reset options; empty when none.
    public var options: ValueMap
    /// `length + 1` observations back to back.
    public var observations: [UInt8]
    /// `length` actions back to back.
    public var actions: [UInt8]
    public var rewards: [Double]
    public var terminated: [UInt8]
    public var truncated: [UInt8]
}
