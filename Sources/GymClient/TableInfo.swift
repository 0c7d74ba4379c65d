/// What a replay table holds and has done, as the buffer service reports it.
public struct TableInfo: Sendable, Equatable {
    /// The table's settings.
    public var config: TableConfig
    /// The columns its items have (empty before the first insert of a table without a signature).
    public var columns: [ColumnSpec]
    /// Items held now.
    public var size: Int
    /// Items ever inserted.
    public var inserts: Int
    /// Items ever sampled.
    public var samples: Int
    /// Items dropped because the table was full.
    public var evictions: Int
    /// Sample calls that had to wait for the rate limiter.
    public var sampleWaits: Int
    /// Insert calls that had to wait for the rate limiter.
    public var insertWaits: Int
    /// Calls that waited past their timeout.
    public var timeouts: Int
    /// The key the next inserted item gets.
    public var nextKey: UInt64
}

/// The keys an insert gave its items: `count` consecutive keys from `firstKey`.
public struct InsertReceipt: Sendable, Equatable {
    /// The first item's key.
    public var firstKey: UInt64
    /// Items inserted.
    public var count: Int
    /// The table's size after the insert.
    public var tableSize: Int
}

/// What a priority update did: keys still in the table were updated, the rest skipped.
public struct PriorityUpdateCounts: Sendable, Equatable {
    /// Items whose priority changed.
    public var updated: Int
    /// Keys no longer (or never) in the table.
    public var missing: Int
}
