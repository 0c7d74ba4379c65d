import GymCore

/// A replay table's settings, fixed when the table is created (the buffer service's `TableConfig`).
public struct TableConfig: Sendable, Equatable {
    /// How a table picks the items a sample returns.
    public enum Selector: String, Sendable, Equatable, CaseIterable {
        /// Uniformly at random, with replacement.
        case uniform
        /// With probability `p_i^α / Σ p_j^α`, with replacement; samples carry importance weights.
        case prioritized
        /// Oldest first; a sampled item leaves the table (a queue).
        case fifo
    }

    /// The table's name.
    public var name: String
    /// How samples pick items.
    public var selector: Selector
    /// Most items held; inserting into a full table evicts the oldest item.
    public var maxSize: Int
    /// α: priorities are raised to this power (prioritized only; 0 = uniform).
    public var priorityExponent: Double
    /// β: the default exponent of the importance weights (prioritized only).
    public var importanceExponent: Double
    /// When samples and inserts may proceed.
    public var rateLimiter: RateLimiterConfig
    /// The columns every item has; empty lets the first insert fix them.
    public var signature: [ColumnSpec]

    /// A table named `name`; the other settings default as on the wire.
    public init(name: String, selector: Selector = .uniform, maxSize: Int, priorityExponent: Double = 0, importanceExponent: Double = 0,
                rateLimiter: RateLimiterConfig = RateLimiterConfig(), signature: [ColumnSpec] = []) {
        self.name = name
        self.selector = selector
        self.maxSize = maxSize
        self.priorityExponent = priorityExponent
        self.importanceExponent = importanceExponent
        self.rateLimiter = rateLimiter
        self.signature = signature
    }
}
