import Agents
import ArgumentParser

/// `gym train ALGO` for an algorithm that needs nothing beyond the shared options and its
/// hyperparameters; its name and help come from the algorithm itself.
struct TrainAlgorithm<Algorithm: TrainableAlgorithm>: TrainingCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: Algorithm.name, abstract: Algorithm.summary, discussion: Algorithm.details)
    }

    typealias Hyperparameters = Algorithm.Arguments

    @OptionGroup var common: TrainOptions

    @Argument(parsing: .allUnrecognized, help: Algorithm.Arguments.argumentHelp)
    var hyperparameterWords: [String] = []

    func run() throws {
        try common.run(self, algo: Algorithm.name) { try Algorithm.train($1, session: $0) }
    }
}
