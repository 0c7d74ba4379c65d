import Agents
import ArgumentParser

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

    @OptionGroup var policyGradient: PolicyGradientOptions<Reinforce.Arguments>

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
        policyGradient.apply(to: &args)
        return args
    }

    func run() throws {
        let args = arguments
        try common.run(algo: "reinforce") { try Reinforce.train(args, session: $0) }
    }
}
