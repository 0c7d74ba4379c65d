import GymCore
import GymProtocol

extension Gym_V1_TableConfig {
    /// The keys `init(spec:)` reads, with what they set.
    public static let specKeys = [
        "name": "the table's name (required)",
        "selector": "uniform, prioritized or fifo (default uniform)",
        "max-size": "most items held (default 1000000)",
        "alpha": "priority exponent (prioritized; default 0.6)",
        "beta": "importance-weight exponent (prioritized; default 0.4)",
        "min-size": "items needed before sampling (default 1)",
        "samples-per-insert": "sampled items per inserted item the limiter holds to (default 0: off)",
        "error-buffer": "slack around samples-per-insert (default 0)",
    ]

    /// Reads `name=replay,selector=prioritized,max-size=100000,alpha=0.6,beta=0.4,min-size=1000,
    /// samples-per-insert=8,error-buffer=100`; a bare first word is the name.
    public init(spec: String) throws {
        self.init()
        selector = .uniform
        maxSize = 1_000_000
        priorityExponent = 0.6
        importanceExponent = 0.4
        rateLimiter.minSizeToSample = 1
        for (index, part) in spec.split(separator: ",").enumerated() {
            let pair = part.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
            if pair.count == 1, index == 0 {
                name = pair[0]
                continue
            }
            guard pair.count == 2 else { throw GymError(.invalidArgument, "table spec part '\(part)' is not key=value") }
            let (key, value) = (pair[0], pair[1])
            func number() throws -> Double {
                guard let number = Double(value), number.isFinite, number >= 0 else {
                    throw GymError(.invalidArgument, "table spec: \(key) needs a non-negative number, not '\(value)'")
                }
                return number
            }
            func count() throws -> UInt64 {
                guard let count = UInt64(value) else { throw GymError(.invalidArgument, "table spec: \(key) needs a whole number, not '\(value)'") }
                return count
            }
            switch key {
            case "name": name = value
            case "selector":
                switch value {
                case "uniform": selector = .uniform
                case "prioritized": selector = .prioritized
                case "fifo", "queue": selector = .fifo
                default: throw GymError(.invalidArgument, "table spec: selector is uniform, prioritized or fifo, not '\(value)'")
                }
            case "max-size": maxSize = try count()
            case "alpha": priorityExponent = try number()
            case "beta": importanceExponent = try number()
            case "min-size": rateLimiter.minSizeToSample = try count()
            case "samples-per-insert": rateLimiter.samplesPerInsert = try number()
            case "error-buffer": rateLimiter.errorBuffer = try number()
            default:
                throw GymError(.invalidArgument, "table spec: unknown key '\(key)' (known: \(Self.specKeys.keys.sorted().joined(separator: ", ")))")
            }
        }
        guard !name.isEmpty else { throw GymError(.invalidArgument, "table spec '\(spec)' has no name") }
        guard maxSize >= 1 else { throw GymError(.invalidArgument, "table spec: max-size must be at least 1") }
    }
}
