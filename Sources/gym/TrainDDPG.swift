import Agents
import ArgumentParser

/// `gym train ddpg`.
struct TrainDDPG: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ddpg", abstract: "Deep Deterministic Policy Gradient: actor, critic, target networks, OU noise (Box actions).",
        discussion: """
        The paper's settings are --hidden-sizes 400,300 --batch-size 64 --tau 0.001 --actor-lr 0.0001 \
        --critic-lr 0.001 --critic-weight-decay 0.01 --critic-action-layer 1 --ou-theta 0.15 --ou-sigma 0.2 \
        (or just --paper). The defaults keep the OU noise and use 32-32 networks with the action at \
        the critic's input, faster learning and τ = 0.005, which reach Pendulum-v1's -200 within \
        20,000 steps.
        """)

    private static let defaults = DDPG.Arguments()

    @OptionGroup var common: TrainOptions
    @OptionGroup var offPolicy: OffPolicyOptions

    @Flag(help: "Use the paper's settings (overrides the options they name).")
    var paper = false

    @Option(name: .customLong("actor-lr"), help: "The actor's Adam learning rate (paper: 1e-4).")
    var actorLearningRate = defaults.actorLearningRate

    @Option(name: .customLong("critic-lr"), help: "The critic's Adam learning rate (paper: 1e-3).")
    var criticLearningRate = defaults.criticLearningRate

    @Option(help: "L2 weight decay on the critic (paper: 1e-2).")
    var criticWeightDecay = defaults.criticWeightDecay

    @Option(help: "The hidden layer whose input the action joins: 0 (with the observation) or 1 (paper).")
    var criticActionLayer = defaults.criticActionLayer

    @Option(name: .customLong("ou-theta"), help: "Ornstein-Uhlenbeck mean reversion θ (paper: 0.15).")
    var noiseTheta = defaults.noiseTheta

    @Option(name: .customLong("ou-sigma"), help: "Ornstein-Uhlenbeck σ, in units where [-1, 1] spans the action bounds (paper: 0.2).")
    var noiseSigma = defaults.noiseSigma

    @Option(name: .customLong("ou-dt"), help: "Ornstein-Uhlenbeck time step (paper: 1; the lecture notebook: 0.01).")
    var noiseDt = defaults.noiseDt

    func validate() throws {
        if let problem = arguments.problem { throw ValidationError(problem) }
    }

    var arguments: DDPG.Arguments {
        var args = DDPG.Arguments()
        args.common = offPolicy.arguments
        args.actorLearningRate = actorLearningRate
        args.criticLearningRate = criticLearningRate
        args.criticWeightDecay = criticWeightDecay
        args.criticActionLayer = criticActionLayer
        args.noiseTheta = noiseTheta
        args.noiseSigma = noiseSigma
        args.noiseDt = noiseDt
        if paper {
            let reference = DDPG.Arguments.paper
            args.common.hiddenSizes = reference.common.hiddenSizes
            args.common.batchSize = reference.common.batchSize
            args.common.tau = reference.common.tau
            args.actorLearningRate = reference.actorLearningRate
            args.criticLearningRate = reference.criticLearningRate
            args.criticWeightDecay = reference.criticWeightDecay
            args.criticActionLayer = reference.criticActionLayer
            args.noiseTheta = reference.noiseTheta
            args.noiseSigma = reference.noiseSigma
            args.noiseDt = reference.noiseDt
        }
        return args
    }

    func run() throws {
        let args = arguments
        try common.run(algo: "ddpg") { try DDPG.train(args, session: $0) }
    }
}
