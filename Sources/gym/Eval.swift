import Agents
import ArgumentParser
import Foundation
import GymProtocol

extension Gym {
    /// `gym eval`: play a saved policy greedily.
    struct Eval: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate a saved policy over greedy episodes.",
            discussion: """
            Loads a policy saved by `gym train --save` and plays one greedy episode per seed (for a \
            continuous policy, the deterministic actor's actions inside the Box bounds). The \
            episode seeds derive from --seed exactly as in training's evaluation, and --seed and \
            --episodes default to the training run's, so by default this reproduces the eval_mean \
            recorded with the policy. With --json the last line of stdout is {"policy", "algo", \
            "env", "seed", "episodes", "mean", "std", "min", "max", "returns", "solved"}.
            """)

        @Option(help: ArgumentHelp("Policy file written by gym train --save.", valueName: "file"))
        var policy: String

        @Option(help: "Environment id (default: the one the policy was trained on).")
        var env: String?

        @Option(help: "Greedy episodes (default: as many as the training run evaluated, else 20).")
        var episodes: Int?

        @Option(help: "Run seed the episode seeds derive from (default: the training run's).")
        var seed: UInt64?

        @Flag(help: "Print a JSON summary as the last line of stdout.")
        var json = false

        @OptionGroup var envArguments: EnvArgumentOptions

        @OptionGroup var server: ServerOptions

        func validate() throws {
            if let episodes, episodes < 1 { throw ValidationError("--episodes must be at least 1") }
        }

        func run() throws {
            let (loaded, metadata) = try PolicyFile.load(from: URL(fileURLWithPath: policy))
            let envID = env ?? metadata.env
            let runSeed = seed ?? metadata.seed
            let count = episodes ?? metadata.evaluation?.episodes ?? 20
            let (connection, embedded) = try server.connect(clientName: "gym eval",
                                                            description: .init(run: metadata.run ?? "", algorithm: metadata.algo, role: .eval))
            defer { embedded?.shutdown() }
            let specs = try connection.listEnvs()
            let threshold = specs.first { $0.id == envID }?.rewardThreshold
            let result = try GreedyEvaluation.run(loaded, connection: connection, env: envID,
                                                  kwargs: try envArguments.kwargs(for: envID, specs: specs),
                                                  seeds: RunSeeds(runSeed).evaluationEpisodes(count))
            let solved = threshold.map { result.mean >= $0 }
            if json {
                print(JSONText.object([
                    ("policy", .string(policy)), ("algo", .string(metadata.algo)), ("env", .string(envID)),
                    ("seed", .int(Int64(bitPattern: runSeed))), ("episodes", .int(Int64(result.episodes))),
                    ("mean", .double(result.mean)), ("std", .double(result.std)),
                    ("min", .double(result.returns.min() ?? 0)), ("max", .double(result.returns.max() ?? 0)),
                    ("returns", .array(result.returns.map(JSONText.double))), ("solved", solved.map(JSONText.bool) ?? .null),
                ]).rendered)
            } else {
                let verdict = solved.map { $0 ? " (solved)" : " (not solved)" } ?? ""
                print(String(format: "%.2f ± %.2f over %d greedy episodes (min %.2f, max %.2f)", result.mean, result.std,
                             result.episodes, result.returns.min() ?? 0, result.returns.max() ?? 0) + verdict)
            }
        }
    }
}
