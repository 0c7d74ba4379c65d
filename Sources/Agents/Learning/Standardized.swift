/// Zero-mean, unit-variance rescaling, as policy-gradient methods apply to advantages.
enum Standardized {
    /// `(x − mean) / (std + 1e-8)`, with the population standard deviation.
    static func values(_ x: [Float]) -> [Float] {
        guard !x.isEmpty else { return x }
        let mean = x.reduce(0, +) / Float(x.count)
        let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(x.count)
        let scale = 1 / (variance.squareRoot() + 1e-8)
        return x.map { ($0 - mean) * scale }
    }
}
