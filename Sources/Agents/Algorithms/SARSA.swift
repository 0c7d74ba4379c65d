/// Tabular SARSA (Rummery & Niranjan 1994), as in the lecture notebook: on-policy TD control
/// over a discretized observation, `Q(s,a) += α (r + γ Q(s', a') − Q(s,a))`, where `a'` is the
/// ε-greedy action the agent then takes.
///
/// The loop, discretization and arguments are `Tabular`'s, shared with `QLearning`: the two
/// differ only in the bootstrap term.
public enum SARSA: TrainableAlgorithm {
    /// `gym train sarsa`.
    public static let name = "sarsa"
    /// What `gym train --help` says of it.
    public static let summary = "Tabular SARSA over discretized observations (the lecture notebook's)."
    /// What `gym train sarsa --help` adds.
    public static let details = """
    After each step the table moves toward r + γ Q(s', a'), with a' the ε-greedy action the agent \
    takes next (on-policy). Each dimension of a Box observation is cut into --bins bins over \
    --low..--high (CartPole: the lecture's ranges); an observation made only of Discrete, \
    MultiDiscrete and MultiBinary parts (FrozenLake, Taxi, Blackjack) is its own table row. An \
    episode that terminates early ends on -penalty (--no-penalty where reaching the goal terminates).
    """

    /// Trains a table with SARSA targets on `session`'s environment.
    public static func train(_ arguments: Tabular.Arguments, session: TrainingSession) throws -> TrainedAgent {
        try Tabular.train(arguments, method: .sarsa, session: session)
    }
}
