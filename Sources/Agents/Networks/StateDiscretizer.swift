/// Maps a continuous observation to one table row: each dimension cut into equal bins between
/// `low` and `high` (values outside fall into the end bins), as NumPy's `digitize` over
/// `linspace(low, high, bins + 1)[1:-1]` does in the lecture notebook.
public struct StateDiscretizer: Sendable, Equatable {
    /// Bins per dimension.
    public let bins: [Int]
    /// Lower end of the binned range, per dimension.
    public let low: [Double]
    /// Upper end of the binned range, per dimension.
    public let high: [Double]
    /// Inner bin edges per dimension, ascending.
    private let edges: [[Double]]

    /// The lecture's CartPole cut: 6 bins over x ∈ [−2.4, 2.4], ẋ ∈ [−3, 3], θ ∈ [−0.5, 0.5], θ̇ ∈ [−2, 2].
    public static func cartPole(bins: Int = 6) -> StateDiscretizer? {
        StateDiscretizer(bins: Array(repeating: bins, count: 4), low: [-2.4, -3, -0.5, -2], high: [2.4, 3, 0.5, 2])
    }

    /// A discretizer, or nil when the lists differ in length, a bin count is below 1 or a range is empty.
    public init?(bins: [Int], low: [Double], high: [Double]) {
        guard !bins.isEmpty, bins.count == low.count, bins.count == high.count,
              bins.allSatisfy({ $0 >= 1 }), zip(low, high).allSatisfy({ $0.isFinite && $1.isFinite && $0 < $1 }) else { return nil }
        self.bins = bins
        self.low = low
        self.high = high
        // linspace computes start + k * (span / n), in that order.
        edges = zip(bins, zip(low, high)).map { count, range in
            let step = (range.1 - range.0) / Double(count)
            return (1..<count).map { range.0 + Double($0) * step }
        }
    }

    /// Rows in a table over these states (the product of the bin counts).
    public var stateCount: Int { bins.reduce(1, *) }

    /// Observation features it reads.
    public var dimensions: Int { bins.count }

    /// The row of the observation starting at `offset`: dimension `i`'s bin times the product of the earlier bin counts.
    public func state(_ observation: [Float], offset: Int = 0) -> Int {
        var index = 0
        var stride = 1
        for dimension in 0..<bins.count {
            let value = Double(observation[offset + dimension])
            // digitize(right=False): the number of edges at or below the value.
            var bin = 0
            for edge in edges[dimension] where edge <= value { bin += 1 }
            index += bin * stride
            stride *= bins[dimension]
        }
        return index
    }
}
