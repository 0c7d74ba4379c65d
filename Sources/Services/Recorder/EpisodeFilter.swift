import Foundation
import GymCore
import GymProtocol

/// Which episodes `gym replay --list` shows.
public struct EpisodeFilter: Sendable {
    public var env: String?
    public var minReturn: Double?
    public var maxReturn: Double?
    public var minLength: Int?
    public var maxLength: Int?
    public var limit: Int?
    /// Only episodes of this run (`gym replay --list --run`).
    public var run: String?
    /// Only episodes of clients in this role (`--role`).
    public var role: String?

    /// No filter.
    public init() {}
}
