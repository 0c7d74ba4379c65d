/// What a priority update did: keys still in the table were updated, the rest skipped.
public struct PriorityUpdateCounts: Sendable, Equatable {
    /// Items whose priority changed.
    public var updated: Int
    /// Keys no longer (or never) in the table.
    public var missing: Int
}
