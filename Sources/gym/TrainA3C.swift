import Agents
import ArgumentParser
import Foundation
import Logging

/// `gym train a3c`.
struct TrainA3C: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "a3c",
        abstract: "Asynchronous advantage actor-critic: worker processes push n-step gradients to a global learner.",
        discussion: """
        The learner starts --workers `gym worker` processes of this executable (none with \
        --no-spawn); more can join from other machines with `gym worker --learner ADDR` at any \
        time, and a worker that dies is not waited for. Without --server, the daemon runs in this \
        process on tcp loopback so that the workers reach it.
        """)

    private static let defaults = A3C.Arguments()

    @OptionGroup var common: TrainOptions

    @Option(help: "Worker processes.")
    var workers = defaults.workers

    @Option(help: "Environments each worker steps side by side.")
    var envsPerWorker = defaults.envsPerWorker

    @Option(help: "Steps per environment between gradient pushes (n of the n-step returns).")
    var nSteps = defaults.nSteps

    @Option(help: "Environment steps at most, all workers together (training stops early once solved).")
    var totalSteps = defaults.totalSteps

    @Option(help: "Adam's learning rate on the global network.")
    var learningRate = defaults.learningRate

    @Option(help: "Discount factor γ.")
    var gamma = defaults.gamma

    @Option(help: "Weight of the entropy bonus.")
    var entropyCoefficient = defaults.entropyCoefficient

    @Option(help: "Weight of the value loss.")
    var valueCoefficient = defaults.valueCoefficient

    @Option(help: "Clip each pushed gradient to this global L2 norm (0: no clipping).")
    var maxGradNorm = defaults.maxGradNorm

    @Option(help: ArgumentHelp("Hidden layer widths of the policy and value networks, comma-separated.", valueName: "list"))
    var hiddenSizes = NumberList(defaults.hiddenSizes)

    @Option(help: "Training episodes whose mean return must reach the threshold before a greedy validation.")
    var solveWindow = defaults.solveWindow

    @Option(help: "Greedy episodes per validation (0: no early stopping).")
    var validationEpisodes = defaults.validationEpisodes

    @OptionGroup var distributed: DistributedOptions

    var arguments: A3C.Arguments {
        var args = A3C.Arguments()
        args.workers = workers
        args.envsPerWorker = envsPerWorker
        args.nSteps = nSteps
        args.totalSteps = totalSteps
        args.learningRate = learningRate
        args.gamma = gamma
        args.entropyCoefficient = entropyCoefficient
        args.valueCoefficient = valueCoefficient
        args.maxGradNorm = maxGradNorm
        args.hiddenSizes = hiddenSizes.values
        args.solveWindow = solveWindow
        args.validationEpisodes = validationEpisodes
        return args
    }

    func validate() throws {
        if let problem = arguments.problem { throw ValidationError(problem) }
    }

    func run() throws {
        let args = arguments
        try common.run(algo: "a3c", shared: true) { session in
            try A3C.train(args, session: session, parameters: distributed.parameterChannels(logger: Logger(label: "gym.train")),
                          startWorkers: { try distributed.startWorkers(args.workers, endpoint: $0) }, logger: Logger(label: "gym.train"))
        }
    }
}
