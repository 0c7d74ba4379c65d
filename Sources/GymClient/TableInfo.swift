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
