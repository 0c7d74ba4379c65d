/// Tabular Q-learning (Watkins 1989), as in the lecture notebook: off-policy TD control over a
/// discretized observation, `Q(s,a) += α (r + γ max_a' Q(s', a') − Q(s,a))`.
///
/// The loop, discretization and arguments are `Tabular`'s, shared with `SARSA`: the two differ
/// only in the bootstrap term.
public enum QLearning: TrainableAlgorithm {
    /// `gym train qlearning`.
    public static let name = "qlearning"
    /// What `gym train --help` says of it.
    public static let summary = "Tabular Q-learning over discretized observations (the lecture notebook's)."
    /// What `gym train qlearning --help` adds.
    public static let details = """
    After each step the table moves toward r + γ max_a Q(s', a) whatever the agent does next \
    (off-policy), over the same --bins discretization and reward shaping as sarsa.
    """

    /// Trains a table with Q-learning targets on `session`'s environment.
    public static func train(_ arguments: Tabular.Arguments, session: TrainingSession) throws -> TrainedAgent {
        try Tabular.train(arguments, method: .qLearning, session: session)
    }
}
