import Agents
import ArgumentParser

/// `gym train ppo`.
struct TrainPPO: TrainingCommand {
    static let configuration = CommandConfiguration(
        commandName: "ppo",
        abstract: "Proximal policy optimisation: clipped surrogate, GAE(λ), minibatch epochs, batched environments.",
        discussion: """
        A softmax policy for Discrete actions, a diagonal Gaussian (learned log σ) for Box actions, \
        sent clipped to the bounds. The Gaussian's exploration noise can be correlated in time \
        (--noise-correlation); each action is still exactly Gaussian. The learning rate and the \
        clip range fall linearly to 0 over --total-steps unless turned off.
        """)

    typealias Hyperparameters = PPO.Arguments

    @OptionGroup var common: TrainOptions

    @Argument(parsing: .allUnrecognized, help: PPO.Arguments.argumentHelp)
    var hyperparameterWords: [String] = []

    func run() throws {
        let args = try hyperparameters()
        try common.run(algo: "ppo") { try PPO.train(args, session: $0) }
    }
}
