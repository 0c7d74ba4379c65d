/// The final evaluations of several seeds summed up as rliable recommends: the mean with its
/// standard deviation, and the interquartile mean (the mean of the middle half, robust to a
/// seed or two that fail or shine).
struct SeedAggregate: Equatable {
    /// Seeds aggregated.
    let count: Int
    /// Mean of the values.
    let mean: Double
    /// Population standard deviation (as `eval_std` of one run).
    let std: Double
    /// Interquartile mean: a quarter (rounded down) cut from each end of the sorted values, as
    /// `scipy.stats.trim_mean(values, 0.25)`, which rliable's IQM uses.
    let iqm: Double

    /// Nil for no values.
    init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        count = values.count
        let mean = values.reduce(0, +) / Double(values.count)
        self.mean = mean
        std = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
        let sorted = values.sorted()
        let cut = count / 4
        let middle = sorted[cut..<(count - cut)]
        iqm = middle.reduce(0, +) / Double(middle.count)
    }
}
