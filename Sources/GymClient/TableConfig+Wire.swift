import GymCore
import GymProtocol

// Conversions between the buffer client's value types and the wire messages; everything that
// comes from the service is checked here, once.

extension TableConfig.Selector {
    /// The wire enum.
    public var wire: Gym_V1_Selector {
        switch self {
        case .uniform: return .uniform
        case .prioritized: return .prioritized
        case .fifo: return .fifo
        }
    }

    /// The selector a wire enum names; an unknown value is malformed.
    public init(wire: Gym_V1_Selector) throws {
        switch wire {
        case .uniform: self = .uniform
        case .prioritized: self = .prioritized
        case .fifo: self = .fifo
        case .UNRECOGNIZED(let value): throw GymError(.malformed, "unknown table selector \(value)")
        }
    }
}

extension TableConfig {
    /// The wire message.
    public var wire: Gym_V1_TableConfig {
        .with {
            $0.name = name
            $0.selector = selector.wire
            $0.maxSize = UInt64(max(0, maxSize))
            $0.priorityExponent = priorityExponent
            $0.importanceExponent = importanceExponent
            $0.rateLimiter = rateLimiter.wire
            $0.signature = signature.map(\.wire)
        }
    }

    /// The config a wire message holds.
    public init(wire: Gym_V1_TableConfig) throws {
        self.init(name: wire.name, selector: try Selector(wire: wire.selector), maxSize: Int(clamping: wire.maxSize),
                  priorityExponent: wire.priorityExponent, importanceExponent: wire.importanceExponent,
                  rateLimiter: RateLimiterConfig(wire: wire.rateLimiter), signature: try wire.signature.map(ColumnSpec.init(wire:)))
    }
}

extension RateLimiterConfig {
    /// The wire message.
    public var wire: Gym_V1_RateLimiter {
        .with {
            $0.minSizeToSample = UInt64(max(0, minSizeToSample))
            $0.samplesPerInsert = samplesPerInsert
            $0.errorBuffer = errorBuffer
        }
    }

    /// The limiter a wire message holds.
    public init(wire: Gym_V1_RateLimiter) {
        self.init(minSizeToSample: Int(clamping: wire.minSizeToSample), samplesPerInsert: wire.samplesPerInsert, errorBuffer: wire.errorBuffer)
    }
}

extension ColumnSpec {
    /// The wire message.
    public var wire: Gym_V1_ColumnSpec {
        .with {
            $0.name = name
            $0.dtype = dtype.wire
            $0.shape = shape.map { Int64($0) }
        }
    }

    /// The column a wire message describes; an unknown dtype is malformed.
    public init(wire: Gym_V1_ColumnSpec) throws {
        guard let dtype = DType(wire: wire.dtype) else { throw GymError(.malformed, "column \(wire.name) has an unknown dtype") }
        self.init(name: wire.name, dtype: dtype, shape: wire.shape.map { Int(clamping: $0) })
    }
}

extension TableInfo {
    /// The info a wire message holds.
    public init(wire: Gym_V1_TableInfo) throws {
        self.init(config: try TableConfig(wire: wire.config), columns: try wire.columns.map(ColumnSpec.init(wire:)),
                  size: Int(clamping: wire.size), inserts: Int(clamping: wire.inserts), samples: Int(clamping: wire.samples),
                  evictions: Int(clamping: wire.evictions), sampleWaits: Int(clamping: wire.sampleWaits),
                  insertWaits: Int(clamping: wire.insertWaits), timeouts: Int(clamping: wire.timeouts), nextKey: wire.nextKey)
    }
}

extension InsertReceipt {
    /// The receipt a wire reply holds.
    public init(wire: Gym_V1_InsertReply) {
        self.init(firstKey: wire.firstKey, count: Int(wire.count), tableSize: Int(clamping: wire.tableSize))
    }
}

extension PriorityUpdateCounts {
    /// The counts a wire reply holds.
    public init(wire: Gym_V1_UpdatePrioritiesReply) {
        self.init(updated: Int(wire.updated), missing: Int(wire.missing))
    }
}
