/// The running mean and variance of vectors, merged a batch at a time (Chan, Golub and
/// LeVeque's parallel update), as Stable-Baselines3's `RunningMeanStd` keeps them: it starts at
/// mean 0, variance 1 and a count of 1e-4, in float64.
public struct RunningMoments: Codable, Sendable, Equatable {
    /// Per element.
    public private(set) var mean: [Double]
    /// Per element (population variance).
    public private(set) var variance: [Double]
    /// Vectors merged so far, plus the starting 1e-4.
    public private(set) var count: Double

    /// Nothing seen yet, for vectors of `width` elements.
    public init(width: Int) {
        mean = Array(repeating: 0, count: width)
        variance = Array(repeating: 1, count: width)
        count = 1e-4
    }

    /// Elements per vector.
    public var width: Int { mean.count }

    /// Merges `rows` vectors stored back to back in `values`.
    public mutating func merge(_ values: some RandomAccessCollection<Float>, rows: Int) {
        guard rows > 0 else { return }
        precondition(values.count == rows * width, "\(values.count) values are not \(rows) rows of \(width)")
        let width = width
        var batchMean = [Double](repeating: 0, count: width)
        var batchVariance = [Double](repeating: 0, count: width)
        var index = values.startIndex
        for _ in 0..<rows {
            for column in 0..<width {
                batchMean[column] += Double(values[index])
                index = values.index(after: index)
            }
        }
        for column in 0..<width { batchMean[column] /= Double(rows) }
        index = values.startIndex
        for _ in 0..<rows {
            for column in 0..<width {
                let deviation = Double(values[index]) - batchMean[column]
                batchVariance[column] += deviation * deviation
                index = values.index(after: index)
            }
        }
        for column in 0..<width { batchVariance[column] /= Double(rows) }
        merge(mean: batchMean, variance: batchVariance, count: Double(rows))
    }

    /// Merges the moments of another batch.
    mutating func merge(mean batchMean: [Double], variance batchVariance: [Double], count batchCount: Double) {
        let total = count + batchCount
        for column in 0..<width {
            let delta = batchMean[column] - mean[column]
            let squares = variance[column] * count + batchVariance[column] * batchCount + delta * delta * count * batchCount / total
            mean[column] += delta * batchCount / total
            variance[column] = squares / total
        }
        count = total
    }

    /// Why moments read from a file cannot be these (wrong width, non-finite, negative), or nil.
    public func problem(width expected: Int) -> String? {
        guard mean.count == expected, variance.count == expected else {
            return "running moments of \(mean.count) and \(variance.count) elements where \(expected) are expected"
        }
        guard count.isFinite, count > 0, mean.allSatisfy(\.isFinite), variance.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            return "running moments with a non-finite or negative value"
        }
        return nil
    }
}
