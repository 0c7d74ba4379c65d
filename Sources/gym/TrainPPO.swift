import Agents
import ArgumentParser
import NeuralNet

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

    @Option(help: "Weight of the entropy bonus.")
    var entropyCoefficient = defaults.entropyCoefficient

    @Option(help: "Clip gradients to this global L2 norm (0: no clipping).")
    var maxGradNorm = defaults.maxGradNorm ?? 0

    @Option(help: ArgumentHelp("Hidden layer widths, comma-separated.", valueName: "list"))
    var hiddenSizes = NumberList(defaults.hiddenSizes)

    @Option(help: "Hidden-layer activation: relu, tanh, elu or sigmoid.")
    var activation = defaults.activation

    @Option(help: "Whether actor and critic share their hidden layers: shared or separate.")
    var sharing = defaults.sharing

    @Option(help: "Initial log σ of a Gaussian policy (Box actions).")
    var initialLogStd = defaults.initialLogStd

    @Option(help: "Correlation in time of a Gaussian policy's exploration noise, in [0, 1) (0: white noise).")
    var noiseCorrelation = defaults.noiseCorrelation

    @Flag(inversion: .prefixedNo, help: "Scale observation features with finite bounds to [-1, 1].")
    var scaleObservations = defaults.scaleObservations

    @Option(help: "Training episodes whose mean return prompts a greedy validation.")
    var solveWindow = defaults.solveWindow

    @Option(help: "Greedy episodes per validation (0: no early stopping).")
    var validationEpisodes = defaults.validationEpisodes

    @Option(help: "Validate once the recent mean is within this fraction of the reward threshold.")
    var validationMargin = defaults.validationMargin

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
        args.entropyCoefficient = entropyCoefficient
        args.maxGradNorm = maxGradNorm > 0 ? maxGradNorm : nil
        args.hiddenSizes = hiddenSizes.values
        args.activation = activation
        args.sharing = sharing
        args.initialLogStd = initialLogStd
        args.noiseCorrelation = noiseCorrelation
        args.scaleObservations = scaleObservations
        args.solveWindow = solveWindow
        args.validationEpisodes = validationEpisodes
        args.validationMargin = validationMargin
        return args
    }

    func run() throws {
        let args = arguments
        try common.run(algo: "ppo") { try PPO.train(args, session: $0) }
    }
}
