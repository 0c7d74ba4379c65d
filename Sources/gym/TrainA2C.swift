import Agents
import ArgumentParser

/// `gym train a2c`.
struct TrainA2C: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "a2c",
        abstract: "Advantage actor-critic: shared trunk, n-step returns, entropy bonus, batched environments.",
        discussion: """
        Every --n-steps steps of --num-envs environments stepped as one batch, n-step returns \
        bootstrapped from the critic give the advantages for one gradient step on policy loss + \
        value loss - entropy bonus.
        """)

    private static let defaults = A2C.Arguments()

    @OptionGroup var common: TrainOptions

    @Option(help: "Environments stepped as one batch.")
    var numEnvs = defaults.numEnvs

    @Option(help: "Steps per environment between updates (the n of the n-step returns).")
    var nSteps = defaults.nSteps

    @Option(help: "Environment steps at most, all environments together (training stops early once solved).")
    var totalSteps = defaults.totalSteps

    @Option(help: "Adam's initial learning rate.")
    var learningRate = defaults.learningRate

    @Flag(inversion: .prefixedNo, help: "Anneal the learning rate linearly to 0 over --total-steps.")
    var annealLearningRate = defaults.annealLearningRate

    @Option(help: "Discount factor γ.")
    var gamma = defaults.gamma

    @Option(help: "Weight of the value loss.")
    var valueCoefficient = defaults.valueCoefficient

    @Flag(inversion: .prefixedNo, help: "Normalise the advantages per update.")
    var normalizeAdvantages = defaults.normalizeAdvantages

    @Option(help: "Whether actor and critic share their hidden layers: shared or separate.")
    var sharing = defaults.sharing

    @OptionGroup var policyGradient: PolicyGradientOptions<A2C.Arguments>

    func validate() throws {
        if let problem = arguments.problem { throw ValidationError(problem) }
    }

    var arguments: A2C.Arguments {
        var args = A2C.Arguments()
        args.numEnvs = numEnvs
        args.nSteps = nSteps
        args.totalSteps = totalSteps
        args.learningRate = learningRate
        args.annealLearningRate = annealLearningRate
        args.gamma = gamma
        args.valueCoefficient = valueCoefficient
        args.normalizeAdvantages = normalizeAdvantages
        args.sharing = sharing
        policyGradient.apply(to: &args)
        return args
    }

    func run() throws {
        let args = arguments
        try common.run(algo: "a2c") { try A2C.train(args, session: $0) }
    }
}
