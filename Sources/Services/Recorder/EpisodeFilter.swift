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

    /// No filter.
    public init() {}
}
