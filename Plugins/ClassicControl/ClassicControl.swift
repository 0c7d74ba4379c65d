import Foundation
import GymCore

/// The classic-control environments of Gymnasium.
public enum ClassicControl {
    /// Every environment of this library.
    public static var specs: [EnvSpec] {
        CartPole.specs() + [Pendulum.spec(), MountainCar.spec(), MountainCarContinuous.spec(), Acrobot.spec()]
    }

    /// Registers every environment of this library.
    public static func register(into registry: inout EnvRegistry) throws {
        for spec in specs { try registry.register(spec) }
    }

    /// The largest magnitude a reset option of these environments may have (`low`, `high`,
    /// `x_init`, `y_init`): far beyond any useful start state, and small enough that no
    /// computation on the state degenerates. Clients choose options, so they are checked.
    public static let maxResetOption = 1000.0

    /// A numeric reset option, or nil when absent; finite and within ±`maxResetOption`.
    static func resetOption(_ options: ValueMap, _ key: String) throws -> Double? {
        guard let value = options[key] else { return nil }
        guard let number = value.doubleValue else {
            throw GymError(.invalidArgument, "reset option \(key) must be a number, got \(String(describing: value).clippedForEcho())")
        }
        guard number.isFinite, abs(number) <= maxResetOption else {
            throw GymError(.invalidArgument, "reset option \(key) must be finite and within ±\(maxResetOption), got \(number)")
        }
        return number
    }

    /// `utils.maybe_parse_reset_bounds`: options `low`/`high` over the defaults; low ≤ high,
    /// both finite and within ±`maxResetOption`.
    static func resetBounds(_ options: ValueMap, defaultLow: Double, defaultHigh: Double) throws -> (Double, Double) {
        let low = try resetOption(options, "low") ?? defaultLow
        let high = try resetOption(options, "high") ?? defaultHigh
        guard low <= high else { throw GymError(.invalidArgument, "reset option low \(low) exceeds high \(high)") }
        return (low, high)
    }
}
