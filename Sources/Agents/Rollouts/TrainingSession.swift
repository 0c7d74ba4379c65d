import Foundation
import GymClient
import GymCore
import GymProtocol
import NeuralNet

/// The runtime every agent shares: the environment's spec from the daemon, the run's seeds,
/// the monitor, greedy validation and evaluation, and the end of a run (evaluate, log, save).
///
/// Agents reach environments only through the `GymConnection` given here, so the same code
/// trains against an embedded daemon or one across the network.
public final class TrainingSession {
    /// The algorithm's command name (`dqn`, `sarsa`, ...).
    public let algo: String
    /// The daemon.
    public let connection: GymConnection
    /// The run's name, written into every artifact and told to the daemon in hellos.
    public let runName: String
    /// The environment as the daemon describes it.
    public let spec: EnvSpec
    /// Every random stream of the run.
    public let seeds: RunSeeds
    /// Progress line and log files.
    public let monitor: TrainingMonitor
    /// The one stop flag the loops check at step boundaries (a signal handler sets it).
    public let stop = StopRequest()
    /// Everything the run carries between steps, for checkpoints.
    public let state = RunState()
    /// Where and how often checkpoints are written; nil for none.
    public var checkpointing: Checkpointing?
    /// The checkpoint this run continues, if it was resumed.
    public var resuming: LoadedCheckpoint?
    /// The environment's arguments (`--env-arg`), used for every environment the run makes:
    /// training, validation, evaluation and distributed workers.
    public var envArguments: ValueMap = [:]
    /// The run's hyperparameters as JSON (the Arguments' Codable form), saved in every checkpoint.
    public var arguments = Data("{}".utf8)
    /// Stops the run as a signal would at the first step boundary at or past this many steps.
    public var stopAfterSteps: Int?
    /// Why the run ended before its budget, or nil if it did not.
    public private(set) var stopReason: StopReason?
    /// The newest checkpoint written or resumed from, and its step.
    public private(set) var lastCheckpoint: (directory: URL, step: Int)?
    private var nextCheckpoint = 0
    private let started = DispatchTime.now().uptimeNanoseconds

    /// Checkpoint settings.
    public struct Checkpointing: Sendable {
        /// The run directory (checkpoints go to its `checkpoints/`).
        public var directory: URL
        /// Environment steps between checkpoints.
        public var every: Int
        /// Whether checkpoints hold the replay buffer (without it an off-policy run resumes with
        /// an empty buffer: it goes on, but not bit-identically).
        public var replay: Bool

        /// Creates settings.
        public init(directory: URL, every: Int, replay: Bool) {
            self.directory = directory
            self.every = max(every, 1)
            self.replay = replay
        }
    }

    /// Looks `env` up on the daemon and opens the monitor.
    /// `runName` defaults to `ALGO-ENV-SEED`; the CLI passes the run's name (`--run-name`).
    public init(algo: String, env: String, seed: UInt64, connection: GymConnection, logDirectory: URL?, progress: Bool,
                runName: String? = nil) throws {
        let specs = try connection.listEnvs()
        guard let spec = specs.first(where: { $0.id == env }) else {
            throw AgentError(.invalidArgument, "the daemon has no environment \(env) (it has: \(specs.map(\.id).joined(separator: ", ")))")
        }
        self.algo = algo
        self.connection = connection
        self.runName = runName ?? "\(algo)-\(env)-\(seed)"
        self.spec = spec
        self.seeds = RunSeeds(seed)
        monitor = try TrainingMonitor(label: "\(algo) \(env) seed \(seed)", logDirectory: logDirectory, progress: progress)
        state.track("monitor", value: { [monitor] in monitor.state }, restore: { [monitor] in try monitor.restore($0) })
    }

    /// Whether checkpoints of this run hold the replay buffer.
    public var checkpointsReplay: Bool { checkpointing?.replay ?? false }

    /// Called by the training loop once everything is tracked and before its first step:
    /// restores a resumed run (or throws, naming the file, if the checkpoint does not fit).
    public func begin() throws {
        guard let resuming else {
            nextCheckpoint = checkpointing?.every ?? .max
            return
        }
        let file = resuming.directory.path
        guard state.isComplete else {
            throw AgentError(.invalidArgument, "\(algo) does not checkpoint its training state yet, so it cannot resume from \(file)")
        }
        guard resuming.header.algo == algo, resuming.header.env == env, resuming.seed == seeds.run else {
            throw AgentError(.invalidArgument, "the checkpoint \(file) is of \(resuming.header.algo) on \(resuming.header.env) seed "
                + "\(resuming.header.seed), not \(algo) on \(env) seed \(seeds.run)")
        }
        do {
            try state.restore(manifest: resuming.manifest, tensors: resuming.tensors)
        } catch let error as RunStateError {
            throw AgentError(.io, "the checkpoint \(file) \(error.message)")
        }
        lastCheckpoint = (resuming.directory, resuming.header.step)
        let every = checkpointing?.every ?? .max
        nextCheckpoint = every == .max ? .max : (resuming.header.step / every + 1) * every
        monitor.note("resumed from \(file) at step \(resuming.header.step)")
    }

    /// Called by the loops at every step boundary (`step` environment steps done, everything
    /// tracked consistent): writes a checkpoint when one is due or the run is stopping, and
    /// returns true when the run must stop now.
    public func boundary(step: Int) throws -> Bool {
        if let limit = stopAfterSteps, step >= limit { stop.request(.stepLimit(limit)) }
        let reason = stop.requested
        if let checkpointing, state.isComplete, step >= nextCheckpoint || (reason != nil && step != lastCheckpoint?.step) {
            let header = CheckpointHeader(format: RunCheckpoints.format, algo: algo, env: env, seed: String(seeds.run), step: step,
                                          replay: checkpointing.replay, run: runName)
            let directory = try RunCheckpoints.write(header: header, state: state, arguments: arguments, into: checkpointing.directory)
            lastCheckpoint = (directory, step)
            nextCheckpoint = (step / checkpointing.every + 1) * checkpointing.every
            monitor.note("checkpoint at step \(step): \(directory.path)")
        }
        guard let reason else { return false }
        stopReason = reason
        return true
    }

    /// Tracks a replay buffer (read by `get`, replaced by `set`) as the part `replay`: whole
    /// when checkpoints hold the replay (`--checkpoint-replay`), else as nothing, so that a
    /// resumed run starts with an empty buffer.
    public func trackReplay(_ get: @escaping () -> ReplayBuffer, _ set: @escaping (ReplayBuffer) -> Void) {
        state.track("replay", save: { [checkpointsReplay] in
            let (saved, tensors) = checkpointsReplay ? get().saved : (nil, [:])
            return (saved, tensors)
        }, restore: { (saved: ReplayBuffer.Saved?, tensors: [String: Tensor]) in
            guard let saved else {
                guard tensors.isEmpty else { throw RunStateError("has replay tensors but no replay buffer") }
                return
            }
            var buffer = get()
            try buffer.restore(saved, tensors)
            set(buffer)
        })
    }

    /// Whether `error` says the daemon is gone (a call timed out, the connection dropped, or
    /// the daemon is shutting down);
    /// if so the run is stopping, and the loop that caught it ends as on a signal (without a
    /// checkpoint: the step was half done).
    public func connectionLost(_ error: any Error) -> Bool {
        guard let error = error as? GymError, [GymError.Code.timedOut, .disconnected, .shuttingDown].contains(error.code) else {
            return false
        }
        let reason = StopReason.lost("the daemon at \(connection.endpoint) is gone: \(error.message)")
        stop.request(reason)
        stopReason = stop.requested
        return true
    }

    /// The environment id.
    public var env: String { spec.id }

    /// Greedy episodes on the validation seeds, logged as `eval/validation_return` at `step`.
    public func validate(_ policy: any Policy, episodes: Int, step: Int) throws -> EvaluationResult {
        let result = try described(as: .validate) {
            try GreedyEvaluation.run(policy, connection: connection, env: env, kwargs: envArguments, seeds: seeds.validationEpisodes(episodes))
        }
        monitor.scalar("eval/validation_return", result.mean, step: step)
        monitor.note(String(format: "validation at step %d: mean return %.2f over %d greedy episodes", step, result.mean, episodes))
        return result
    }

    /// Greedy episodes on the evaluation seeds: what `eval_mean` reports and `gym eval` reproduces.
    public func evaluate(_ policy: any Policy, episodes: Int) throws -> EvaluationResult {
        try described(as: .eval) {
            try GreedyEvaluation.run(policy, connection: connection, env: env, kwargs: envArguments, seeds: seeds.evaluationEpisodes(episodes))
        }
    }

    /// Runs `body` with the connection described in `role` (so the daemon records the batches it
    /// makes as that role's), then describes it as before. A connection without a description
    /// (a library user's) stays without.
    private func described<T>(as role: Gym_V1_ClientRole, _ body: () throws -> T) throws -> T {
        guard let before = connection.clientDescription, before.role != role else { return try body() }
        var during = before
        during.role = role
        try connection.describe(during)
        let result: T
        do {
            result = try body()
        } catch let error as GymError where [.timedOut, .disconnected, .shuttingDown].contains(error.code) {
            throw error  // the daemon is gone: nothing to describe to
        } catch {
            // The run may go on (a caller that handles the error): its next batches are training's again.
            try? connection.describe(before)
            throw error
        }
        try connection.describe(before)
        return result
    }

    /// Evaluates the trained policy, closes the logs, saves the policy when asked, and reports.
    public func finish(_ trained: TrainedAgent, evaluationEpisodes: Int, save: URL?) throws -> TrainingReport {
        let evaluation = try evaluate(trained.policy, episodes: evaluationEpisodes)
        monitor.scalar("eval/mean_return", evaluation.mean, step: trained.steps)
        monitor.note(String(format: "greedy evaluation: mean return %.2f ± %.2f over %d episodes", evaluation.mean, evaluation.std, evaluation.episodes))
        monitor.hyperparameters(hparams(trained), group: runName)
        try monitor.finish(threshold: spec.rewardThreshold)
        if let save {
            // The evaluation above checked that the policy's sizes are the environment's.
            try PolicyFile.save(trained.policy, metadata: metadata(trained.policy, trained, evaluation: evaluation), to: save)
        }
        return TrainingReport(algo: algo, env: env, seed: seeds.run, steps: trained.steps, episodes: trained.episodes,
                              wallSeconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9,
                              evaluation: evaluation, rewardThreshold: spec.rewardThreshold, metrics: trained.metrics)
    }

    /// What a run stopped early (a signal, a lost daemon) leaves: the last policy, the best
    /// validated one if the algorithm kept one, and the run's newest checkpoint.
    public struct StoppedRun {
        /// Why it stopped.
        public var reason: StopReason
        /// Steps done.
        public var steps: Int
        /// The last policy's file.
        public var policy: URL
        /// The best validated policy's file, if there is one.
        public var bestPolicy: URL?
        /// The newest checkpoint, if any was written.
        public var checkpoint: URL?
    }

    /// Ends a stopped run without evaluating (the daemon may be gone): closes the logs and
    /// draws the curve, and saves the last policy to `save` (default `RUN/policy-last.safetensors`)
    /// and the best validated one to `RUN/policy-best.safetensors`, `RUN` being `runDirectory`.
    public func finishStopped(_ trained: TrainedAgent, save: URL?, runDirectory: URL) throws -> StoppedRun {
        guard let reason = stopReason else { preconditionFailure("finishStopped on a run that did not stop") }
        monitor.hyperparameters(hparams(trained), group: runName)
        try monitor.finish(threshold: spec.rewardThreshold)
        do {
            try FileManager.default.createDirectory(at: runDirectory, withIntermediateDirectories: true)
        } catch {
            throw AgentError(.io, "cannot create \(runDirectory.path): \(error.localizedDescription)")
        }
        let last = save ?? runDirectory.appendingPathComponent("policy-last.safetensors")
        try PolicyFile.save(trained.policy, metadata: metadata(trained.policy, trained, evaluation: nil), to: last)
        var best: URL?
        if let kept = trained.bestValidated {
            let url = runDirectory.appendingPathComponent("policy-best.safetensors")
            try PolicyFile.save(kept, metadata: metadata(kept, trained, evaluation: nil), to: url)
            best = url
        }
        return StoppedRun(reason: reason, steps: trained.steps, policy: last, bestPolicy: best, checkpoint: lastCheckpoint?.directory)
    }

    /// Every hyperparameter of the run, and its name, algorithm, environment and seed, for
    /// TensorBoard; lists (layer sizes) as text, as TensorBoard has no list values.
    func hparams(_ trained: TrainedAgent) -> [(key: String, value: HParamValue)] {
        let identity: [(key: String, value: HParamValue)] = [
            ("run", .text(runName)), ("algo", .text(algo)), ("env", .text(env)), ("seed", .number(Double(seeds.run))),
        ]
        return identity + trained.hyperparameters.sorted { $0.key < $1.key }.map { key, value in
            switch value {
            case .int(let number): return (key, .number(Double(number)))
            case .double(let number): return (key, .number(number))
            case .bool(let flag): return (key, .flag(flag))
            case .string(let text): return (key, .text(text))
            case .ints, .doubles: return (key, .text(value.description))
            }
        }
    }

    private func metadata(_ policy: any Policy, _ trained: TrainedAgent, evaluation: EvaluationResult?) -> PolicyMetadata {
        PolicyMetadata(
            algo: algo, env: env, policy: policy.checkpoint.kind, observationSpace: spec.observationSpace.summary,
            actionSpace: spec.actionSpace.summary, observationSize: policy.observationSize, actionCount: policy.actionCount,
            seed: seeds.run, structure: policy.checkpoint.structure, hyperparameters: trained.hyperparameters,
            evaluation: evaluation.flatMap { $0.episodes > 0 ? .init(episodes: $0.episodes, mean: $0.mean, std: $0.std) : nil },
            run: runName)
    }
}
