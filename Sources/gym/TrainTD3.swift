import Agents
import ArgumentParser

/// `gym train td3`.
struct TrainTD3: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "td3", abstract: "Twin Delayed DDPG: twin critics, target policy smoothing, delayed actor updates (Box actions).",
        discussion: """
        The paper's settings are --hidden-sizes 400,300 --batch-size 100 with the defaults below; \
        the defaults use 32-32 networks and batch 64, which reach Pendulum-v1's -200 within 20,000 steps several \
        times faster.
        """)

    private static let defaults = TD3.Arguments()

    @OptionGroup var common: TrainOptions
    @OptionGroup var twinCritic: TwinCriticOptions<TD3.Arguments>

    @Option(help: "Standard deviation of the Gaussian exploration noise, in units where [-1, 1] spans the action bounds.")
    var explorationNoise = defaults.explorationNoise

    @Option(help: "Standard deviation of the target policy smoothing noise.")
    var targetNoise = defaults.targetNoise

    @Option(help: "The smoothing noise is clipped to [-c, c].")
    var targetNoiseClip = defaults.targetNoiseClip

    @Option(help: "Critic steps per actor step (and target update).")
    var policyDelay = defaults.policyDelay

    func validate() throws {
        if let problem = arguments.problem { throw ValidationError(problem) }
    }

    var arguments: TD3.Arguments {
        var args = TD3.Arguments()
        twinCritic.apply(to: &args)
        args.explorationNoise = explorationNoise
        args.targetNoise = targetNoise
        args.targetNoiseClip = targetNoiseClip
        args.policyDelay = policyDelay
        return args
    }

    func run() throws {
        let args = arguments
        try common.run(algo: "td3") { try TD3.train(args, session: $0) }
    }
}
