import Agents
import ArgumentParser
import Logging

/// `gym train a3c`.
struct TrainA3C: TrainingCommand {
    static let configuration = CommandConfiguration(
        commandName: "a3c",
        abstract: "Asynchronous advantage actor-critic: worker processes push n-step gradients to a global learner.",
        discussion: """
        The learner starts --workers `gym worker` processes of this executable (none with \
        --no-spawn); more can join from other machines with `gym worker --learner ADDR` at any \
        time, and a worker that dies is not waited for. Without --server, the daemon runs in this \
        process on tcp loopback so that the workers reach it.
        """)

    typealias Hyperparameters = A3C.Arguments

    @OptionGroup var common: TrainOptions
    @OptionGroup var distributed: DistributedOptions

    @Argument(parsing: .allUnrecognized, help: A3C.Arguments.argumentHelp)
    var hyperparameterWords: [String] = []

    func run() throws {
        try common.run(self, algo: "a3c", shared: true) { session, args in
            try A3C.train(args, session: session, parameters: distributed.parameterChannels(logger: Logger(label: "gym.train")),
                          startWorkers: { try distributed.startWorkers(args.workers, endpoint: $0) }, logger: Logger(label: "gym.train"))
        }
    }
}
