import Agents
import ArgumentParser

/// `gym train a2c`.
struct TrainA2C: TrainingCommand {
    static let configuration = CommandConfiguration(
        commandName: "a2c",
        abstract: "Advantage actor-critic: shared trunk, n-step returns, entropy bonus, batched environments.",
        discussion: """
        Every --n-steps steps of --num-envs environments stepped as one batch, n-step returns \
        bootstrapped from the critic give the advantages for one gradient step on policy loss + \
        value loss - entropy bonus.
        """)

    typealias Hyperparameters = A2C.Arguments

    @OptionGroup var common: TrainOptions

    @Argument(parsing: .allUnrecognized, help: A2C.Arguments.argumentHelp)
    var hyperparameterWords: [String] = []

    func run() throws {
        let args = try hyperparameters()
        try common.run(algo: "a2c") { try A2C.train(args, session: $0) }
    }
}
