import Agents
import ArgumentParser

/// `gym train dqn`.
struct TrainDQN: TrainingCommand {
    static let configuration = CommandConfiguration(
        commandName: "dqn", abstract: "Deep Q-Network: replay, target network, double-DQN targets, MSE or Huber loss.",
        discussion: """
        With --actors N (N > 0) it runs Ape-X: N actor processes with their own ε write to a \
        prioritized replay table that this learner samples; the Ape-X hyperparameters follow DQN's.
        """)

    typealias Hyperparameters = ApeXLearner.Arguments

    @OptionGroup var common: TrainOptions
    @OptionGroup(title: "Ape-X (distributed actors)") var apex: ApeXOptions

    @Argument(parsing: .allUnrecognized, help: ApeXLearner.Arguments.argumentHelp)
    var hyperparameterWords: [String] = []

    func run() throws {
        let args = try hyperparameters()
        if args.actors > 0 {
            guard common.resume == nil else { throw ValidationError("dqn --actors does not checkpoint its learner yet: --resume needs --actors 0") }
            try common.run(self, algo: "dqn", shared: true) { try apex.train($1, session: $0) }
        } else {
            try common.run(self, algo: "dqn") { try DQN.train($1.dqn, session: $0) }
        }
    }
}
