import Agents
import ArgumentParser

/// `gym train sarsa`.
struct TrainSARSA: TrainingCommand {
    static let configuration = CommandConfiguration(
        commandName: "sarsa", abstract: "Tabular SARSA over discretized observations (the lecture notebook's).")

    typealias Hyperparameters = Tabular.Arguments

    @OptionGroup var common: TrainOptions

    @Argument(parsing: .allUnrecognized, help: Tabular.Arguments.argumentHelp)
    var hyperparameterWords: [String] = []

    var baseHyperparameters: Tabular.Arguments { Tabular.Arguments(method: .sarsa) }

    func run() throws {
        let args = try hyperparameters()
        try common.run(algo: "sarsa") { try SARSA.train(args, session: $0) }
    }
}
