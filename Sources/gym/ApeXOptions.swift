import Agents
import ArgumentParser
import BufferService
import Foundation
import GymClient
import Logging

/// `gym train dqn --actors N`: the Ape-X options.
struct ApeXOptions: ParsableArguments {
    private static let defaults = ApeXLearner.Arguments()

    @Option(help: "Actor processes writing to a prioritized replay table (0: single-process DQN).")
    var actors = 0

    @Option(help: ArgumentHelp("Buffer service for the replay table; without it one starts in this process on tcp loopback.", valueName: "addr"))
    var buffer: String?

    @Option(help: "Environments each actor steps side by side.")
    var envsPerActor = defaults.envsPerActor

    @Option(help: "Sampled items per inserted item the replay table's rate limiter holds to (0: no limit).")
    var samplesPerInsert = defaults.samplesPerInsert

    @Option(help: "Priority exponent α.")
    var priorityExponent = defaults.priorityExponent

    @Option(help: "Importance-weight exponent β.")
    var importanceExponent = defaults.importanceExponent

    @Option(help: "Learner updates between weight publications.")
    var publishEvery = defaults.publishEvery

    @OptionGroup var distributed: DistributedOptions

    func arguments(_ dqn: DQN.Arguments) -> ApeXLearner.Arguments {
        var args = ApeXLearner.Arguments()
        args.dqn = dqn
        args.actors = actors
        args.envsPerActor = envsPerActor
        args.samplesPerInsert = samplesPerInsert
        args.priorityExponent = priorityExponent
        args.importanceExponent = importanceExponent
        args.publishEvery = publishEvery
        return args
    }

    /// Connects to --buffer or starts one here, then runs the learner.
    func train(_ dqn: DQN.Arguments, session: TrainingSession) throws -> TrainedAgent {
        let logger = Logger(label: "gym.train")
        var embedded: BufferServer?
        let endpoint: String
        if let buffer {
            endpoint = buffer
        } else {
            let server = BufferServer(bind: "tcp://127.0.0.1:*", service: try BufferService(tables: [], logger: logger), logger: logger)
            try server.start()
            embedded = server
            endpoint = server.endpoint
        }
        defer { embedded?.shutdown() }
        let client = try BufferClient(endpoint: endpoint, timeout: 30, clientName: "gym train dqn")
        return try ApeXLearner.train(arguments(dqn), session: session, buffer: client, parameters: distributed.parameterChannels(logger: logger),
                                     startActors: { try distributed.startWorkers(actors, endpoint: $0) }, logger: logger)
    }
}
