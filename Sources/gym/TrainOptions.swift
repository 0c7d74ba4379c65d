import Agents
import ArgumentParser
import Foundation

/// Options every `gym train` algorithm shares.
struct TrainOptions: ParsableArguments {
    @Option(help: "Environment id, e.g. CartPole-v1.")
    var env: String

    @Option(help: "Seed of every random stream of the run (weights, exploration, replay, environments, evaluation).")
    var seed: UInt64 = 1

    @Option(help: "Greedy episodes in the evaluation after training.")
    var evalEpisodes = 20

    @Option(help: ArgumentHelp("Directory for episodes.csv, TensorBoard event files and learning_curve.svg.", valueName: "dir"))
    var logdir: String?

    @Option(help: ArgumentHelp("Save the trained policy here (safetensors, metadata also in FILE.json).", valueName: "file"))
    var save: String?

    @Flag(help: "Print a JSON summary as the last line of stdout.")
    var json = false

    @Flag(help: "Print no progress line on stderr.")
    var quiet = false

    @OptionGroup var server: ServerOptions

    func validate() throws {
        guard evalEpisodes >= 0 else { throw ValidationError("--eval-episodes must not be negative") }
    }

    /// Connects, trains with `train`, evaluates, saves and prints the summary.
    /// `shared`: the daemon must be reachable from worker processes (an embedded one binds tcp loopback).
    func run(algo: String, shared: Bool = false, _ train: (TrainingSession) throws -> TrainedAgent) throws {
        let (connection, embedded) = try server.connect(clientName: "gym train \(algo)", shared: shared)
        defer { embedded?.shutdown() }
        let session = try TrainingSession(algo: algo, env: env, seed: seed, connection: connection,
                                          logDirectory: logdir.map { URL(fileURLWithPath: $0, isDirectory: true) }, progress: !quiet)
        let trained = try train(session)
        let report = try session.finish(trained, evaluationEpisodes: evalEpisodes, save: save.map { URL(fileURLWithPath: $0) })
        if json {
            print(JSONText.object([
                ("algo", .string(report.algo)), ("env", .string(report.env)), ("seed", .int(Int64(bitPattern: report.seed))),
                ("steps", .int(Int64(report.steps))), ("episodes", .int(Int64(report.episodes))),
                ("wall_s", .double((report.wallSeconds * 1000).rounded() / 1000)),
                ("eval_episodes", .int(Int64(report.evaluation.episodes))), ("eval_mean", .double(report.evaluation.mean)),
                ("eval_std", .double(report.evaluation.std)), ("solved", report.solved.map(JSONText.bool) ?? .null),
            ] + report.metrics.sorted { $0.key < $1.key }.map { ($0.key, JSONText.double($0.value)) }).rendered)
        } else {
            let verdict = report.solved.map { $0 ? " (solved)" : " (not solved)" } ?? ""
            print("\(report.algo) \(report.env) seed \(report.seed): \(report.steps) steps, \(report.episodes) episodes, "
                + String(format: "%.2f s; greedy return %.2f ± %.2f over %d episodes", report.wallSeconds, report.evaluation.mean,
                         report.evaluation.std, report.evaluation.episodes) + verdict)
            if let logdir {
                let directory = URL(fileURLWithPath: logdir, isDirectory: true)
                print("learning curve: \(directory.appendingPathComponent("learning_curve.svg").path)")
                print("episodes and TensorBoard events: \(directory.path)")
            }
            if let save { print("saved policy: \(save) (metadata in \(save).json)") }
        }
    }
}
