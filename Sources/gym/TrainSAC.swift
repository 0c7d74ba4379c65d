import Agents
import ArgumentParser

/// `gym train sac`.
struct TrainSAC: TrainingCommand {
    static let configuration = CommandConfiguration(
        commandName: "sac", abstract: "Soft Actor-Critic: squashed Gaussian actor, twin critics, automatic entropy tuning (Box actions).",
        discussion: """
        The paper's settings are --hidden-sizes 256,256 --batch-size 256 --actor-lr 0.0003 \
        --critic-lr 0.0003 --alpha-lr 0.0003; the defaults use 32-32 networks, batch 64 and lr 0.001, which \
        reach Pendulum-v1's -200 within 20,000 steps several times faster.
        """)

    typealias Hyperparameters = SAC.Arguments

    @OptionGroup var common: TrainOptions

    @Argument(parsing: .allUnrecognized, help: SAC.Arguments.argumentHelp)
    var hyperparameterWords: [String] = []

    func run() throws {
        let args = try hyperparameters()
        try common.run(algo: "sac") { try SAC.train(args, session: $0) }
    }
}
