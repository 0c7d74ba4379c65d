/// An algorithm that `gym train NAME` runs with nothing but its hyperparameters: its name, a
/// line and a paragraph for `--help`, its hyperparameter set, and its training entry point.
public protocol TrainableAlgorithm {
    /// Its hyperparameters.
    associatedtype Arguments: HyperparameterSet
    /// The command name, e.g. `ppo`; also the `algo` of its summaries and saved policies.
    static var name: String { get }
    /// One line for `gym train --help`.
    static var summary: String { get }
    /// A paragraph for `gym train NAME --help` (may be empty).
    static var details: String { get }
    /// Trains on `session`'s environment.
    static func train(_ arguments: Arguments, session: TrainingSession) throws -> TrainedAgent
}
