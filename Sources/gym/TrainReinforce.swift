import Agents
import ArgumentParser
import NeuralNet

/// `gym train reinforce`.
struct TrainReinforce: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reinforce",
        abstract: "REINFORCE: Monte-Carlo policy gradient with a softmax policy and an optional baseline.",
        discussion: """
        Each update plays one whole episode per environment and takes one gradient step on \
        -mean(log pi(a|s) (G - b)). The baseline b is none (the lecture notebook's), mean (a running \
        mean of the returns) or value (a learned V(s)). Advantages are normalised per update unless \
        --no-normalize-advantages; normalising subtracts the batch mean, so none and mean then coincide.
        """)

    private static let defaults = Reinforce.Arguments()

    @OptionGroup var common: TrainOptions

    @Option(help: "Episodes per update, played side by side.")
    var numEnvs = defaults.numEnvs

    @Option(help: "Environment steps at most (training stops early once solved).")
    var totalSteps = defaults.totalSteps

    @Option(help: "Adam's learning rate.")
    var learningRate = defaults.learningRate

    @Option(help: "Discount factor γ.")
    var gamma = defaults.gamma

    @Option(help: "Baseline subtracted from the returns: none, mean or value.")
    var baseline = defaults.baseline

    @Option(help: "Weight of the newest batch in the running mean (baseline mean).")
    var baselineRate = defaults.baselineRate

    @Option(help: "Weight of the value loss (baseline value).")
    var valueCoefficient = defaults.valueCoefficient

    @Flag(inversion: .prefixedNo, help: "Normalise the advantages G - b per update.")
    var normalizeAdvantages = defaults.normalizeAdvantages

    @Option(help: "Weight of the entropy bonus.")
    var entropyCoefficient = defaults.entropyCoefficient

    @Option(help: "Clip gradients to this global L2 norm (0: no clipping).")
    var maxGradNorm = defaults.maxGradNorm ?? 0

    @Option(help: ArgumentHelp("Hidden layer widths, comma-separated.", valueName: "list"))
    var hiddenSizes = NumberList(defaults.hiddenSizes)

    @Option(help: "Hidden-layer activation: relu, tanh, elu or sigmoid.")
    var activation = defaults.activation

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

    var arguments: Reinforce.Arguments {
        var args = Reinforce.Arguments()
        args.numEnvs = numEnvs
        args.totalSteps = totalSteps
        args.learningRate = learningRate
        args.gamma = gamma
        args.baseline = baseline
        args.baselineRate = baselineRate
        args.valueCoefficient = valueCoefficient
        args.normalizeAdvantages = normalizeAdvantages
        args.entropyCoefficient = entropyCoefficient
        args.maxGradNorm = maxGradNorm > 0 ? maxGradNorm : nil
        args.hiddenSizes = hiddenSizes.values
        args.activation = activation
        args.scaleObservations = scaleObservations
        args.solveWindow = solveWindow
        args.validationEpisodes = validationEpisodes
        args.validationMargin = validationMargin
        return args
    }

    func run() throws {
        let args = arguments
        try common.run(algo: "reinforce") { try Reinforce.train(args, session: $0) }
    }
}
