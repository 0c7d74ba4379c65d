import Agents
import ArgumentParser

/// `gym train ddpg`.
struct TrainDDPG: TrainingCommand {
    static let configuration = CommandConfiguration(
        commandName: "ddpg", abstract: "Deep Deterministic Policy Gradient: actor, critic, target networks, OU noise (Box actions).",
        discussion: """
        The paper's settings are --hidden-sizes 400,300 --batch-size 64 --tau 0.001 --actor-lr 0.0001 \
        --critic-lr 0.001 --critic-weight-decay 0.01 --critic-action-layer 1 --ou-theta 0.15 --ou-sigma 0.2 \
        (or just --paper; options given with it override its values). The defaults keep the OU noise and use 32-32 networks with the action at \
        the critic's input, faster learning and τ = 0.005, which reach Pendulum-v1's -200 within \
        20,000 steps.
        """)

    typealias Hyperparameters = DDPG.Arguments

    @OptionGroup var common: TrainOptions

    @Flag(help: "Start from the paper's settings.")
    var paper = false

    @Argument(parsing: .allUnrecognized, help: DDPG.Arguments.argumentHelp)
    var hyperparameterWords: [String] = []

    var baseHyperparameters: DDPG.Arguments { paper ? .paper : DDPG.Arguments() }

    func run() throws {
        try common.run(self, algo: "ddpg") { try DDPG.train($1, session: $0) }
    }
}
