import Agents
import ArgumentParser

/// `gym train reinforce`.
struct TrainReinforce: TrainingCommand {
    static let configuration = CommandConfiguration(
        commandName: "reinforce",
        abstract: "REINFORCE: Monte-Carlo policy gradient with a softmax policy and an optional baseline.",
        discussion: """
        Each update plays one whole episode per environment and takes one gradient step on \
        -mean(log pi(a|s) (G - b)). The baseline b is none (the lecture notebook's), mean (a running \
        mean of the returns) or value (a learned V(s)). Advantages are normalised per update unless \
        --no-normalize-advantages; normalising subtracts the batch mean, so none and mean then coincide.
        """)

    typealias Hyperparameters = Reinforce.Arguments

    @OptionGroup var common: TrainOptions

    @Argument(parsing: .allUnrecognized, help: Reinforce.Arguments.argumentHelp)
    var hyperparameterWords: [String] = []

    func run() throws {
        let args = try hyperparameters()
        try common.run(algo: "reinforce") { try Reinforce.train(args, session: $0) }
    }
}
