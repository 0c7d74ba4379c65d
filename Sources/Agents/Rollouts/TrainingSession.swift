import Foundation
import GymClient
import GymCore

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
    /// The environment as the daemon describes it.
    public let spec: EnvSpec
    /// Every random stream of the run.
    public let seeds: RunSeeds
    /// Progress line and log files.
    public let monitor: TrainingMonitor
    private let started = DispatchTime.now().uptimeNanoseconds

    /// Looks `env` up on the daemon and opens the monitor.
    public init(algo: String, env: String, seed: UInt64, connection: GymConnection, logDirectory: URL?, progress: Bool) throws {
        let specs = try connection.listEnvs()
        guard let spec = specs.first(where: { $0.id == env }) else {
            throw AgentError(.invalidArgument, "the daemon has no environment \(env) (it has: \(specs.map(\.id).joined(separator: ", ")))")
        }
        self.algo = algo
        self.connection = connection
        self.spec = spec
        self.seeds = RunSeeds(seed)
        monitor = try TrainingMonitor(label: "\(algo) \(env) seed \(seed)", logDirectory: logDirectory, progress: progress)
    }

    /// The environment id.
    public var env: String { spec.id }

    /// Greedy episodes on the validation seeds, logged as `eval/validation_return` at `step`.
    public func validate(_ policy: any Policy, episodes: Int, step: Int) throws -> EvaluationResult {
        let result = try GreedyEvaluation.run(policy, connection: connection, env: env, seeds: seeds.validationEpisodes(episodes))
        monitor.scalar("eval/validation_return", result.mean, step: step)
        monitor.note(String(format: "validation at step %d: mean return %.2f over %d greedy episodes", step, result.mean, episodes))
        return result
    }

    /// Greedy episodes on the evaluation seeds: what `eval_mean` reports and `gym eval` reproduces.
    public func evaluate(_ policy: any Policy, episodes: Int) throws -> EvaluationResult {
        try GreedyEvaluation.run(policy, connection: connection, env: env, seeds: seeds.evaluationEpisodes(episodes))
    }

    /// Evaluates the trained policy, closes the logs, saves the policy when asked, and reports.
    public func finish(_ trained: TrainedAgent, evaluationEpisodes: Int, save: URL?) throws -> TrainingReport {
        let evaluation = try evaluate(trained.policy, episodes: evaluationEpisodes)
        monitor.scalar("eval/mean_return", evaluation.mean, step: trained.steps)
        monitor.note(String(format: "greedy evaluation: mean return %.2f ± %.2f over %d episodes", evaluation.mean, evaluation.std, evaluation.episodes))
        try monitor.finish(threshold: spec.rewardThreshold)
        if let save {
            // The evaluation above checked that the policy's sizes are the environment's.
            let metadata = PolicyMetadata(
                algo: algo, env: env, policy: trained.policy.checkpoint.kind, observationSpace: spec.observationSpace.summary,
                actionSpace: spec.actionSpace.summary, observationSize: trained.policy.observationSize,
                actionCount: trained.policy.actionCount,
                seed: seeds.run, structure: trained.policy.checkpoint.structure, hyperparameters: trained.hyperparameters,
                evaluation: evaluation.episodes > 0 ? .init(episodes: evaluation.episodes, mean: evaluation.mean, std: evaluation.std) : nil)
            try PolicyFile.save(trained.policy, metadata: metadata, to: save)
        }
        return TrainingReport(algo: algo, env: env, seed: seeds.run, steps: trained.steps, episodes: trained.episodes,
                              wallSeconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9,
                              evaluation: evaluation, rewardThreshold: spec.rewardThreshold, metrics: trained.metrics)
    }
}
