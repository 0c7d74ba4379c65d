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

    /// `utils.maybe_parse_reset_bounds`: options `low`/`high` over the defaults; low ≤ high.
    static func resetBounds(_ options: ValueMap, defaultLow: Double, defaultHigh: Double) throws -> (Double, Double) {
        func bound(_ key: String, _ fallback: Double) throws -> Double {
            guard let value = options[key] else { return fallback }
            guard let number = value.doubleValue else {
                throw GymError(.invalidArgument, "reset option \(key) must be a number, got \(value)")
            }
            return number
        }
        let low = try bound("low", defaultLow)
        let high = try bound("high", defaultHigh)
        guard low <= high else { throw GymError(.invalidArgument, "reset option low \(low) exceeds high \(high)") }
        // NumPy's uniform refuses a span that overflows.
        guard (high - low).isFinite else { throw GymError(.invalidArgument, "reset options low \(low) and high \(high) span no finite range") }
        return (low, high)
    }
}
