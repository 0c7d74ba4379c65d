import Foundation
import GymClient
import GymCore
import Logging
import NeuralNet

/// Asynchronous advantage actor-critic (Mnih et al. 2016), as in the A3C notebook: worker
/// processes each run their own environments on a daemon, compute n-step returns (default 5),
/// and push the gradients of policy loss + value loss − entropy bonus to this global learner,
/// which applies them as they come and answers each push with its newest weights.
///
/// The network and loss are A2C's (`ActorCriticNetwork` with separate actor and critic bodies,
/// `ActorCriticLoss`); only where the gradients go differs.
/// Training stops once the workers' recent episodes reach the reward threshold and a greedy
/// validation of the global network confirms it.
public final class A3C: DistributedLearner {
    /// Everything a run can set.
    public struct Arguments: HyperparameterSet {
        @Hyperparameter("Worker processes.") public var workers = 4
        @Hyperparameter("Environments each worker steps side by side.") public var envsPerWorker = 2
        @Hyperparameter("Steps per environment between gradient pushes (n of the n-step returns).") public var nSteps = 5
        @Hyperparameter("Environment steps at most, all workers together (training stops early once solved).") public var totalSteps = 1_000_000
        @Hyperparameter("Adam's learning rate on the global network.") public var learningRate = 1e-3
        @Hyperparameter("Discount factor γ.") public var gamma = 0.99
        @Hyperparameter("Weight of the entropy bonus.") public var entropyCoefficient = 0.01
        @Hyperparameter("Weight of the value loss.") public var valueCoefficient = 0.5
        @Hyperparameter("Clip each pushed gradient to this global L2 norm (0: no clipping).") public var maxGradNorm = 0.5
        @Hyperparameter("Hidden layer widths of the policy and value networks, comma-separated.") public var hiddenSizes = [64, 64]
        @Hyperparameter("Training episodes whose mean return must reach the threshold before a greedy validation.") public var solveWindow = 20
        @Hyperparameter("Greedy episodes per validation (0: no early stopping).") public var validationEpisodes = 10

        /// The defaults.
        public init() {}

        /// Why the arguments cannot run, or nil.
        public var problem: String? {
            if workers < 1 || envsPerWorker < 1 || nSteps < 1 || totalSteps < 1 { return "--workers, --envs-per-worker, --n-steps and --total-steps must be at least 1" }
            if hiddenSizes.contains(where: { $0 < 1 }) { return "hidden sizes must be positive" }
            if !(learningRate > 0) || !(0...1).contains(gamma) || !(entropyCoefficient >= 0) || !(valueCoefficient >= 0) || !(maxGradNorm >= 0) {
                return "need a positive learning rate, gamma in [0, 1] and non-negative coefficients"
            }
            return nil
        }

    }

    private let args: Arguments
    private let session: TrainingSession
    private let network: ActorCriticNetwork
    private let optimizer: Adam
    private let loop: DistributedLearnerLoop
    // Guards the network, the optimizer and the version, which pushes change on the service's thread.
    private let lock = NSLock()
    private var version: UInt64 = 1

    private init(args: Arguments, session: TrainingSession, network: ActorCriticNetwork, logger: Logger) {
        self.args = args
        self.session = session
        self.network = network
        optimizer = Adam(parameters: network.parameters, learningRate: args.learningRate)
        // A worker pushes after every n steps on each of its environments.
        let (perPush, overflow) = args.nSteps.multipliedReportingOverflow(by: args.envsPerWorker)
        loop = DistributedLearnerLoop(session: session, logger: logger, stepsPerCall: overflow ? Int.max : perPush)
    }

    // MARK: DistributedLearner (called on the parameter service's thread)

    public func join(name: String) throws -> (index: Int, settings: ValueMap) {
        let index = loop.admit(name: name)
        return (index, [
            "algo": .text("a3c"), "run": .text(session.runName), "env": .text(session.env), "env_args": .map(session.envArguments), "server": .text(session.connection.endpoint),
            "seed": .integer(Int64(bitPattern: session.seeds.run)), "num_envs": .integer(Int64(args.envsPerWorker)),
            "n_steps": .integer(Int64(args.nSteps)), "gamma": .number(args.gamma), "entropy_coefficient": .number(args.entropyCoefficient),
            "value_coefficient": .number(args.valueCoefficient), "hidden_sizes": .list(args.hiddenSizes.map { .integer(Int64($0)) }),
        ])
    }

    public func apply(gradients: [UInt8], from pushedVersion: UInt64, worker: Int, stats: EpisodeStats) throws -> [UInt8]? {
        try loop.check(worker: worker, stats: stats)
        let tensors = try SafeTensors.decode(gradients).tensors
        let (staleness, weights) = try lock.withLock {
            // Every gradient is checked before any is taken: a rejected push changes nothing.
            for (name, parameter) in network.namedParameters {
                guard let gradient = tensors[name], gradient.shape == parameter.shape, gradient.data.allSatisfy(\.isFinite) else {
                    throw GymError(.invalidArgument, "gradients lack \(name), or it has the wrong shape or non-finite values")
                }
            }
            for (name, parameter) in network.namedParameters { parameter.grad = tensors[name] ?? parameter.grad }
            if args.maxGradNorm > 0 { GradientClipping.clipGradNorm(network.parameters, maxNorm: Float(args.maxGradNorm)) }
            optimizer.step()
            defer { version += 1 }
            return (version - min(version, pushedVersion), try SafeTensors.encode(network.stateDict()))
        }
        loop.receive(.init(worker: worker, staleness: staleness, stats: stats))
        return weights
    }

    public func report(worker: Int, version: UInt64, stats: EpisodeStats) throws {
        try loop.check(worker: worker, stats: stats)
        let staleness = lock.withLock { self.version - min(self.version, version) }
        loop.receive(.init(worker: worker, staleness: staleness, stats: stats))
    }

    // MARK: Training

    /// Trains on `session`'s environment; `parameters` opens the parameter service, and
    /// `startWorkers` is called with its endpoint and returns the processes it started (nil
    /// when workers are started elsewhere).
    public static func train(_ arguments: Arguments, session: TrainingSession, parameters: ParameterChannelOpener,
                             startWorkers: (String) throws -> WorkerFleet?, logger: Logger) throws -> TrainedAgent {
        _ = try arguments.checked()
        let layout = try SpaceLayout(session.spec)
        var initRandom = SeededRNG(seed: session.seeds.initialization)
        let network = network(layout, hiddenSizes: arguments.hiddenSizes, rng: &initRandom)
        let learner = A3C(args: arguments, session: session, network: network, logger: logger)
        return try learner.run(layout: layout, parameters: parameters, startWorkers: startWorkers, logger: logger)
    }

    private func snapshot() -> [String: Tensor] { lock.withLock { network.stateDict() } }

    private func run(layout: SpaceLayout, parameters: ParameterChannelOpener, startWorkers: (String) throws -> WorkerFleet?,
                     logger: Logger) throws -> TrainedAgent {
        let monitor = session.monitor
        var initRandom = SeededRNG(seed: session.seeds.initialization)
        // Validation and evaluation run on a copy, so pushes go on meanwhile.
        let judge = Self.network(layout, hiddenSizes: args.hiddenSizes, rng: &initRandom)
        let server = try parameters(self, try SafeTensors.encode(snapshot()))
        defer { server.close() }
        let fleet = try startWorkers(server.endpoint)
        defer { fleet?.stop() }
        monitor.note("parameter service on \(server.endpoint); waiting for \(args.workers) worker(s)")

        // As A2C: validate once training returns come within half the threshold, since the
        // entropy bonus keeps the sampled policy well below the greedy one.
        let validation = PolicyValidation(session: session, window: args.solveWindow, episodes: args.validationEpisodes, margin: 0.5)
        // The global network as of now, as a policy of its own (pushes go on meanwhile).
        func current() -> any Policy {
            try? judge.load(stateDict: snapshot())
            return judge.greedyPolicy(.discrete(layout))
        }
        var policy = current()
        var staleness = (sum: 0.0, count: 0)
        let outcome = try loop.run(
            totalSteps: args.totalSteps, channel: server, fleet: fleet, idle: 0.002,
            onEpisode: { report, steps in
                try validation.solved(step: steps, policy: { policy = current(); return policy })
            },
            onReport: { report, _ in
                staleness.sum += Double(report.staleness ?? 0)
                staleness.count += 1
                return false
            },
            progress: { steps, rate, running in
                guard staleness.count > 0 else { return nil }
                let mean = staleness.sum / Double(staleness.count)
                monitor.scalar("charts/staleness_versions", mean, step: steps)
                staleness = (0, 0)
                return String(format: "%d env steps (%.0f/s), %d worker process(es) running; pushed gradients were %.1f versions stale on average (now at version %d)",
                              steps, rate, running, mean, Int(server.currentVersion))
            })
        let (steps, seconds) = (outcome.steps, outcome.seconds)
        monitor.note(String(format: "learner stopped after %d env steps in %.1f s (%.0f env steps/s), version %d", steps, seconds,
                            outcome.stepsPerSecond, Int(server.currentVersion)))
        // The network that validated if training solved; otherwise the final one, or the best validated one.
        if !outcome.solved { policy = try validation.keep(current(), step: steps) }
        var trained = TrainedAgent(policy: policy, steps: steps, episodes: monitor.episodes, hyperparameters: args.hyperparameters)
        trained.metrics = ["env_steps_per_s": outcome.stepsPerSecond.rounded(), "workers": Double(outcome.joined),
                           "remote_workers": Double(outcome.remote),
                           "weight_versions": Double(server.currentVersion)]
        return trained
    }
}

extension A3C {
    /// The network every worker and the learner build alike: A2C's, with separate tanh actor
    /// and critic bodies and a categorical head, on unscaled observations.
    static func network(_ layout: SpaceLayout, hiddenSizes: [Int], rng: inout SeededRNG) -> ActorCriticNetwork {
        ActorCriticNetwork(scaling: .identity(layout.observationSize), hiddenSizes: hiddenSizes,
                           head: .categorical(actions: layout.actionCount), sharing: .separate, activation: .tanh, rng: &rng)
    }
}
