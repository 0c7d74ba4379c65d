import Agents
import ClassicControl
import Flyer
import Foundation
import GymClient
import GymCore
import GymServer
import Logging

/// A daemon in this process with the classic-control environments and the flyer, and one connection to it.
final class TestDaemon {
    let embedded: EmbeddedDaemon
    let connection: GymConnection

    /// `extra` environments are registered beside the shipped ones.
    init(extra: [EnvSpec] = []) throws {
        var registry = EnvRegistry()
        try ClassicControl.register(into: &registry)
        for spec in FlyerEnvironments.specs + extra { try registry.register(spec) }
        var logger = Logger(label: "gym.agent-tests")
        logger.logLevel = .error
        embedded = try EmbeddedDaemon(registry: registry, workers: 1, logger: logger)
        connection = try GymConnection(endpoint: embedded.endpoint, timeout: 30, clientName: "agent-tests")
    }

    /// A training session without progress output, logging to `logDirectory` if given.
    func session(_ algo: String, env: String, seed: UInt64, logDirectory: URL? = nil) throws -> TrainingSession {
        try TrainingSession(algo: algo, env: env, seed: seed, connection: connection, logDirectory: logDirectory, progress: false)
    }

    deinit { embedded.shutdown() }
}

/// A fresh directory under the system's temporary directory, removed by the caller.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("agent-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Uniformly random actions from a seeded stream: the baseline a learned policy must beat.
final class RandomPolicy: GreedyPolicy {
    let observationSize: Int
    let actionCount: Int
    private var random: EpsilonGreedy

    init(observationSize: Int, actionCount: Int, seed: UInt64) {
        self.observationSize = observationSize
        self.actionCount = actionCount
        random = EpsilonGreedy(seed: seed)
    }

    func greedyActions(_ observations: [Float], count: Int) -> [Int] {
        (0..<count).map { _ in random.randomAction(count: actionCount) }
    }

    var checkpoint: PolicyCheckpoint { PolicyCheckpoint(kind: "random", tensors: [:], structure: [:]) }
}
