/// How a Q table's rows are found from an observation: a Box binned by a `StateDiscretizer`,
/// or a discrete observation already encoded as its row (`ObservationEncoding.tableIndex`).
public enum TableStates: Sendable, Equatable {
    /// Rows of a binned Box observation.
    case binned(StateDiscretizer)
    /// Rows of a discrete observation: the mixed-radix number of its digits, first least significant.
    case indexed(radices: [Int])

    /// Rows in the table.
    public var count: Int {
        switch self {
        case .binned(let discretizer): discretizer.stateCount
        case .indexed(let radices): radices.reduce(1, *)
        }
    }

    /// Floats one observation has (the Box's features, or the one row index).
    public var dimensions: Int {
        switch self {
        case .binned(let discretizer): discretizer.dimensions
        case .indexed: 1
        }
    }

    /// The row of the observation starting at `offset`. An index outside the table (never made
    /// by the encoding, which checks every value) is clamped into it rather than trapping.
    public func state(_ observations: [Float], offset: Int = 0) -> Int {
        switch self {
        case .binned(let discretizer): return discretizer.state(observations, offset: offset)
        case .indexed:
            let value = observations[offset]
            guard value.isFinite, value >= 0 else { return 0 }
            return min(Int(value), count - 1)
        }
    }
}
