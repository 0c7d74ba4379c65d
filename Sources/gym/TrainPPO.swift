import Agents
import ArgumentParser

/// `gym train ppo`.
struct TrainPPO: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ppo",
        abstract: "Proximal policy optimisation: clipped surrogate, GAE(λ), minibatch epochs, batched environments.",
        discussion: """
        A softmax policy for Discrete actions, a diagonal Gaussian (learned log σ) for Box actions, \
        sent clipped to the bounds. The Gaussian's exploration noise can be correlated in time \
        (--noise-correlation); each action is still exactly Gaussian. The learning rate and the \
        clip range fall linearly to 0 over --total-steps unless turned off.
        """)

    private static let defaults = PPO.Arguments()

    @OptionGroup var common: TrainOptions

    @Option(help: "Environments stepped as one batch.")
    var numEnvs = defaults.numEnvs

    @Option(help: "Steps per environment in a rollout.")
    var nSteps = defaults.nSteps

    @Option(help: "Environment steps at most, all environments together (training stops early once solved).")
    var totalSteps = defaults.totalSteps

    @Option(help: "Adam's initial learning rate.")
    var learningRate = defaults.learningRate

    @Flag(inversion: .prefixedNo, help: "Anneal the learning rate linearly to 0 over --total-steps.")
    var annealLearningRate = defaults.annealLearningRate

    @Option(help: "Passes over each rollout.")
    var epochs = defaults.epochs

    @Option(help: "Rows per minibatch.")
    var batchSize = defaults.batchSize

    @Option(help: "Discount factor γ.")
    var gamma = defaults.gamma

    @Option(help: "GAE's λ (1: Monte-Carlo advantages, 0: one-step TD errors).")
    var gaeLambda = defaults.gaeLambda

    @Option(help: "Clip range ε of the probability ratio.")
    var clipRange = defaults.clipRange

    @Flag(inversion: .prefixedNo, help: "Anneal the clip range linearly to 0 over --total-steps.")
    var annealClipRange = defaults.annealClipRange

    @Option(help: "Weight of the value loss.")
    var valueCoefficient = defaults.valueCoefficient

    @Option(help: "Whether actor and critic share their hidden layers: shared or separate.")
    var sharing = defaults.sharing

    @Option(help: "Initial log σ of a Gaussian policy (Box actions).")
    var initialLogStd = defaults.initialLogStd

    @Option(help: "Correlation in time of a Gaussian policy's exploration noise, in [0, 1) (0: white noise).")
    var noiseCorrelation = defaults.noiseCorrelation

    @OptionGroup var policyGradient: PolicyGradientOptions<PPO.Arguments>

    func validate() throws {
        if let problem = arguments.problem { throw ValidationError(problem) }
    }

    var arguments: PPO.Arguments {
        var args = PPO.Arguments()
        args.numEnvs = numEnvs
        args.nSteps = nSteps
        args.totalSteps = totalSteps
        args.learningRate = learningRate
        args.annealLearningRate = annealLearningRate
        args.epochs = epochs
        args.batchSize = batchSize
        args.gamma = gamma
        args.gaeLambda = gaeLambda
        args.clipRange = clipRange
        args.annealClipRange = annealClipRange
        args.valueCoefficient = valueCoefficient
        args.sharing = sharing
        args.initialLogStd = initialLogStd
        args.noiseCorrelation = noiseCorrelation
        policyGradient.apply(to: &args)
        return args
    }

    func run() throws {
        let args = arguments
        try common.run(algo: "ppo") { try PPO.train(args, session: $0) }
    }
}
