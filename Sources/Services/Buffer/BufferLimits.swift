/// What one buffer service lets its clients take, each bound answered with a typed error
/// (QUOTA_EXCEEDED or INVALID_ARGUMENT) rather than an allocation that kills the process.
/// `gym buffer` sets them from `--max-table-bytes`, `--max-tables` and `--max-message-bytes`.
public struct BufferLimits: Sendable, Equatable {
    /// Most bytes one table may hold when full: `max_size` × item bytes (plus priorities).
    public var maxTableBytes: Int
    /// Most tables a service holds.
    public var maxTables: Int
    /// Largest sample batch, in items.
    public var maxSampleBatch: Int
    /// Largest reply a sample may produce, in bytes (the transport's message limit).
    public var maxReplyBytes: Int

    /// Limits with the defaults `gym buffer` documents.
    public init(maxTableBytes: Int = 4 << 30, maxTables: Int = 64, maxSampleBatch: Int = 1 << 16, maxReplyBytes: Int = 256 << 20) {
        self.maxTableBytes = maxTableBytes
        self.maxTables = maxTables
        self.maxSampleBatch = maxSampleBatch
        self.maxReplyBytes = maxReplyBytes
    }
}
