import NeuralNet

/// How ε, the chance of a uniformly random action, changes over a run.
public enum ExplorationSchedule: Sendable, Equatable, CustomStringConvertible {
    /// The same ε throughout.
    case constant(Double)
    /// From `start` to `end` linearly over the first `steps` environment steps, then `end`.
    case linear(start: Double, end: Double, steps: Int)
    /// `scale / (episode + 1)`: the lecture notebook's schedule (scale 0.7), fast decay by episode.
    case inverseEpisode(scale: Double)

    /// ε at a global environment step, `episode` episodes into the run.
    public func epsilon(step: Int, episode: Int) -> Double {
        switch self {
        case .constant(let value):
            return value
        case .linear(let start, let end, let steps):
            guard steps > 0 else { return end }
            let progress = min(Double(step) / Double(steps), 1)
            return start + (end - start) * progress
        case .inverseEpisode(let scale):
            return scale / Double(episode + 1)
        }
    }

    /// Reads `constant:E`, `linear:START:END:STEPS` or `inverse:SCALE`.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":").map(String.init)
        switch (parts.first, parts.count) {
        case ("constant", 2):
            guard let value = Double(parts[1]), (0...1).contains(value) else { return nil }
            self = .constant(value)
        case ("linear", 4):
            guard let start = Double(parts[1]), let end = Double(parts[2]), let steps = Int(parts[3]),
                  (0...1).contains(start), (0...1).contains(end), steps >= 0 else { return nil }
            self = .linear(start: start, end: end, steps: steps)
        case ("inverse", 2):
            guard let scale = Double(parts[1]), scale >= 0 else { return nil }
            self = .inverseEpisode(scale: scale)
        default:
            return nil
        }
    }

    /// The form `init(parsing:)` reads.
    public var description: String {
        switch self {
        case .constant(let value): return "constant:\(value)"
        case .linear(let start, let end, let steps): return "linear:\(start):\(end):\(steps)"
        case .inverseEpisode(let scale): return "inverse:\(scale)"
        }
    }
}
