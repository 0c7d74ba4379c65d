import Agents
import ArgumentParser

/// `gym train qlearning`.
struct TrainQLearning: TrainingCommand {
    static let configuration = CommandConfiguration(
        commandName: "qlearning", abstract: "Tabular Q-learning over discretized observations (the lecture notebook's).")

    typealias Hyperparameters = Tabular.Arguments

    @OptionGroup var common: TrainOptions

    @Argument(parsing: .allUnrecognized, help: Tabular.Arguments.argumentHelp)
    var hyperparameterWords: [String] = []

    var baseHyperparameters: Tabular.Arguments { Tabular.Arguments(method: .qLearning) }

    func run() throws {
        let args = try hyperparameters()
        try common.run(algo: "qlearning") { try QLearning.train(args, session: $0) }
    }
}
