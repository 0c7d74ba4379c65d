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

/// When a table lets samples and inserts proceed (Reverb's rate limiters): sampling needs
/// `minSizeToSample` items, and with `samplesPerInsert` > 0 the sampled/inserted ratio is held
/// within `errorBuffer` of it.
public struct RateLimiterConfig: Sendable, Equatable {
    /// Items a table needs before it can be sampled (0 is taken as 1).
    public var minSizeToSample: Int
    /// Sampled items per inserted item to hold to (0: no ratio, only the minimum size).
    public var samplesPerInsert: Double
    /// How far from the ratio calls may run before they wait.
    public var errorBuffer: Double

    /// A limiter; the defaults impose only a minimum size of one item.
    public init(minSizeToSample: Int = 0, samplesPerInsert: Double = 0, errorBuffer: Double = 0) {
        self.minSizeToSample = minSizeToSample
        self.samplesPerInsert = samplesPerInsert
        self.errorBuffer = errorBuffer
    }
}

/// One column of a table: its name, element type and the shape of one item.
public struct ColumnSpec: Sendable, Equatable {
    /// The column's name.
    public var name: String
    /// The element type.
    public var dtype: DType
    /// The shape of one item (the batch dimension excluded).
    public var shape: [Int]

    /// A column.
    public init(name: String, dtype: DType, shape: [Int]) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
    }
}
