import Agents
import ArgumentParser

/// `gym train sac`.
struct TrainSAC: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sac", abstract: "Soft Actor-Critic: squashed Gaussian actor, twin critics, automatic entropy tuning (Box actions).",
        discussion: """
        The paper's settings are --hidden-sizes 256,256 --batch-size 256 --actor-lr 0.0003 \
        --critic-lr 0.0003 --alpha-lr 0.0003; the defaults use 32-32 networks, batch 64 and lr 0.001, which \
        reach Pendulum-v1's -200 within 20,000 steps several times faster.
        """)

    private static let defaults = SAC.Arguments()

    @OptionGroup var common: TrainOptions
    @OptionGroup var twinCritic: TwinCriticOptions<SAC.Arguments>

    @Option(name: .customLong("alpha-lr"), help: "The temperature's Adam learning rate.")
    var alphaLearningRate = defaults.alphaLearningRate

    @Option(help: "The starting temperature α of automatic entropy tuning.")
    var initialAlpha = defaults.initialAlpha

    @Option(help: "Keep the temperature α fixed at this value (no automatic tuning).")
    var alpha: Double?

    @Option(help: "The entropy automatic tuning aims at (default: minus the action size).")
    var targetEntropy: Double?

    func validate() throws {
        if let problem = arguments.problem { throw ValidationError(problem) }
    }

    var arguments: SAC.Arguments {
        var args = SAC.Arguments()
        twinCritic.apply(to: &args)
        args.alphaLearningRate = alphaLearningRate
        args.initialAlpha = initialAlpha
        args.fixedAlpha = alpha
        args.targetEntropy = targetEntropy
        return args
    }

    func run() throws {
        let args = arguments
        try common.run(algo: "sac") { try SAC.train(args, session: $0) }
    }
}
