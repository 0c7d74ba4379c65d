/// The keys an insert gave its items: `count` consecutive keys from `firstKey`.
public struct InsertReceipt: Sendable, Equatable {
    /// The first item's key.
    public var firstKey: UInt64
    /// Items inserted.
    public var count: Int
    /// The table's size after the insert.
    public var tableSize: Int
}
