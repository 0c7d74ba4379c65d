import Agents
import ArgumentParser
import BufferService
import Foundation
import GymClient
import Logging

/// `gym train dqn --actors N`: where the replay table lives and how actors start.
struct ApeXOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Buffer service for the replay table; without it one starts in this process on tcp loopback.", valueName: "addr"))
    var buffer: String?

    @OptionGroup var distributed: DistributedOptions

    /// Connects to --buffer or starts one here, then runs the learner.
    func train(_ arguments: ApeXLearner.Arguments, session: TrainingSession) throws -> TrainedAgent {
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
        return try ApeXLearner.train(arguments, session: session, buffer: client, parameters: distributed.parameterChannels(logger: logger),
                                     startActors: { try distributed.startWorkers(arguments.actors, endpoint: $0) }, logger: logger)
    }
}
