import Agents
import ArgumentParser

/// `gym train td3`.
struct TrainTD3: TrainingCommand {
    static let configuration = CommandConfiguration(
        commandName: "td3", abstract: "Twin Delayed DDPG: twin critics, target policy smoothing, delayed actor updates (Box actions).",
        discussion: """
        The paper's settings are --hidden-sizes 400,300 --batch-size 100 with the defaults below; \
        the defaults use 32-32 networks and batch 64, which reach Pendulum-v1's -200 within 20,000 steps several \
        times faster.
        """)

    typealias Hyperparameters = TD3.Arguments

    @OptionGroup var common: TrainOptions

    @Argument(parsing: .allUnrecognized, help: TD3.Arguments.argumentHelp)
    var hyperparameterWords: [String] = []

    func run() throws {
        let args = try hyperparameters()
        try common.run(algo: "td3") { try TD3.train(args, session: $0) }
    }
}
