import Agents
import ArgumentParser
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Options every `gym train` algorithm shares.
struct TrainOptions: ParsableArguments {
    @Option(help: "Environment id, e.g. CartPole-v1 (with --resume: the checkpoint's).")
    var env: String?

    @Option(help: "Seed of every random stream of the run (weights, exploration, replay, environments, evaluation); default 1, with --resume the checkpoint's.")
    var seed: UInt64?

    @Option(help: "Greedy episodes in the evaluation after training.")
    var evalEpisodes = 20

    @Option(help: ArgumentHelp("Directory for episodes.csv, TensorBoard event files and learning_curve.svg.", valueName: "dir"))
    var logdir: String?

    @Option(help: ArgumentHelp("Save the trained policy here (safetensors, metadata also in FILE.json).", valueName: "file"))
    var save: String?

    @Option(help: ArgumentHelp("""
    The run's name, written into every artifact (policy metadata, the JSON summary, TensorBoard) and told to the daemon, which records it with every episode;     default ALGO-ENV-SEED-TIME (UTC), with --resume the checkpoint's.
    """, valueName: "name"))
    var runName: String?

    @Option(help: ArgumentHelp("""
    Train once per seed (1,2,3 or 1-5), each seed a child gym train process, and print each final evaluation and their     mean ± std and interquartile mean; runs are named RUN-NAME-seedS, --logdir and --checkpoint-dir get a seed-S folder     and --save a -seedS suffix.
    """, valueName: "list"))
    var seeds: String?

    @Option(help: "With --seeds: how many seeds train at once (each a process of its own).")
    var jobs = 1

    @Flag(help: "Print a JSON summary as the last line of stdout.")
    var json = false

    @Flag(help: "Print no progress line on stderr.")
    var quiet = false

    @Option(help: ArgumentHelp("Environment steps between checkpoints of the whole training state (default: a tenth of --total-steps).",
                               valueName: "steps"))
    var checkpointEvery: Int?

    @Option(help: ArgumentHelp("The run directory for checkpoints (and, when a run stops early, its policies); default: --logdir, else runs/ALGO-ENV-SEED.",
                               valueName: "dir"))
    var checkpointDir: String?

    @Flag(help: """
    Put the replay buffer in checkpoints. Without it, an off-policy run resumes with an empty buffer:     it goes on, but not bit-identically to an uninterrupted run.
    """)
    var checkpointReplay = false

    @Option(help: ArgumentHelp("""
    Continue the run whose checkpoints are in DIR (a run directory, or one checkpoint), with its saved hyperparameters:     flags that differ from them are an error, except that --total-steps may grow.
    """, valueName: "dir"))
    var resume: String?

    @Option(help: ArgumentHelp("""
    A YAML file of settings: hyperparameters by name (learning_rate: 0.001, hidden_sizes: [64, 64]), and env, seed and env_args;     flags override it. Without it, the preset presets/ALGO/ENV.yaml is used when there is one.
    """, valueName: "file"))
    var config: String?

    @Flag(help: "Use the defaults even when a preset for this algorithm and environment exists.")
    var noPreset = false

    @OptionGroup var envArguments: EnvArgumentOptions

    @OptionGroup var server: ServerOptions

    func validate() throws {
        guard evalEpisodes >= 0 else { throw ValidationError("--eval-episodes must not be negative") }
        guard env != nil || resume != nil || config != nil else { throw ValidationError("Missing expected argument '--env <env>'") }
        if resume != nil, config != nil { throw ValidationError("--resume continues with the checkpoint's settings: drop --config") }
        if let checkpointEvery, checkpointEvery < 1 { throw ValidationError("--checkpoint-every must be at least 1") }
        if let runName { try Self.checkRunName(runName) }
        if let seeds {
            _ = try SeedList(seeds)
            if seed != nil { throw ValidationError("--seeds runs every seed it lists: drop --seed") }
            if resume != nil { throw ValidationError("--resume continues one run: resume each seed's run on its own") }
        }
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
    }

    /// The settings file this run reads: --config, else the preset for `algo` on --env (none
    /// with --resume or --no-preset).
    func settingsFile(algo: String) throws -> TrainConfig? {
        do {
            if let config { return try TrainConfig.load(config, algo: algo) }
            guard resume == nil, !noPreset, let env, let preset = TrainPresets.file(algo: algo, env: env) else { return nil }
            return try TrainConfig.load(preset, algo: algo)
        } catch let error as TrainConfigError {
            throw ValidationError(error.description)
        }
    }

    /// Connects, trains with `train` on the command's hyperparameters (or, with --resume, the
    /// checkpoint's), evaluates, saves and prints the summary. A first SIGINT or SIGTERM stops
    /// the run at its next step boundary, saves what it has and exits with 128 + the signal;
    /// a second one exits at once. `shared`: the daemon must be reachable from worker processes
    /// (an embedded one binds tcp loopback).
    func run<Command: TrainingCommand>(_ command: Command, algo: String, shared: Bool = false,
                                       _ train: (TrainingSession, Command.Hyperparameters) throws -> TrainedAgent) throws {
        if resume != nil, !Self.resumable.contains(algo) {
            throw ValidationError("\(algo) does not checkpoint its training state yet; --resume works for \(Self.resumable.sorted().joined(separator: ", "))")
        }
        let resumed = try resume.map { try RunCheckpoints.load(RunCheckpoints.latest(in: URL(fileURLWithPath: $0, isDirectory: true))) }
        let file = try settingsFile(algo: algo)
        let args = try resumed.map { try resumedHyperparameters(command, from: $0, algo: algo) } ?? command.hyperparameters()
        guard let env = resumed?.header.env ?? self.env ?? file?.env else {
            throw ValidationError("Missing expected argument '--env <env>' (\(config ?? "the settings file") names none)")
        }
        if let seeds {
            try MultiSeedRun(algo: algo, env: env, seeds: try SeedList(seeds).seeds, jobs: jobs, runName: runName, json: json,
                             quiet: quiet, logdir: logdir, save: save, checkpointDir: checkpointDir,
                             arguments: Array(CommandLine.arguments.dropFirst())).run()
            return
        }
        let seed = resumed?.seed ?? self.seed ?? file?.seed ?? 1
        if let file, config == nil, !quiet { FileHandle.standardError.write(Data("using preset \(file.file) (--no-preset for the defaults)\n".utf8)) }
        let runDirectory = URL(fileURLWithPath: checkpointDir ?? logdir ?? resume ?? "runs/\(algo)-\(env)-\(seed)", isDirectory: true)

        let runName = self.runName ?? resumed?.header.run ?? Self.defaultRunName(algo: algo, env: env, seed: seed)
        let (connection, embedded) = try server.connect(clientName: "gym train \(algo)",
                                                        description: .init(run: runName, algorithm: algo, role: .train), shared: shared)
        defer { embedded?.shutdown() }
        let session = try TrainingSession(algo: algo, env: env, seed: seed, connection: connection,
                                          logDirectory: logdir.map { URL(fileURLWithPath: $0, isDirectory: true) }, progress: !quiet,
                                          runName: runName)
        session.envArguments = try EnvArgumentOptions.kwargs((file?.envArguments ?? []) + envArguments.words, for: session.spec)
        let totalSteps = args.entries.first { $0.key == "total_steps" }.flatMap { Int($0.value) }
        session.checkpointing = .init(directory: runDirectory, every: checkpointEvery ?? max((totalSteps ?? .max) / 10, 1),
                                      replay: checkpointReplay)
        session.resuming = resumed
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        session.arguments = try encoder.encode(args)
        Self.stopOnSignals(session)

        let trained: TrainedAgent
        do {
            trained = try train(session, args)
        } catch where session.connectionLost(error) {
            // Lost outside the loops' guard (a validation, say): there is no policy to save.
            throw ValidationError("training stopped: the daemon at \(connection.endpoint) is gone (\(error))")
        }
        if session.stopReason != nil {
            try stopped(session, trained, runDirectory: runDirectory)
        }
        let report = try session.finish(trained, evaluationEpisodes: evalEpisodes, save: save.map { URL(fileURLWithPath: $0) })
        if json {
            print(JSONText.object([
                ("algo", .string(report.algo)), ("env", .string(report.env)), ("run", .string(session.runName)),
                ("seed", .int(Int64(bitPattern: report.seed))),
                ("steps", .int(Int64(report.steps))), ("episodes", .int(Int64(report.episodes))),
                ("wall_s", .double((report.wallSeconds * 1000).rounded() / 1000)),
                ("eval_episodes", .int(Int64(report.evaluation.episodes))), ("eval_mean", .double(report.evaluation.mean)),
                ("eval_std", .double(report.evaluation.std)), ("solved", report.solved.map(JSONText.bool) ?? .null),
            ] + report.metrics.sorted { $0.key < $1.key }.map { ($0.key, JSONText.number($0.value)) } + SecurityReport.jsonFields).rendered)
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

    /// `ALGO-ENV-SEED-TIME`, the time in UTC to the second (`20261202T170631`).
    static func defaultRunName(algo: String, env: String, seed: UInt64, now: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss"
        return "\(algo)-\(env)-\(seed)-\(formatter.string(from: now))"
    }

    /// A run name must fit the daemon's description limit and name files: no control characters,
    /// no slashes.
    static func checkRunName(_ name: String) throws {
        guard !name.isEmpty, name.utf8.count <= 256,
              !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == "/" }) else {
            throw ValidationError("--run-name must be 1 to 256 bytes without slashes or control characters, got \(name.debugDescription)")
        }
    }

    /// The algorithms whose whole training state is checkpointed.
    static let resumable: Set = ["dqn", "ppo", "a2c", "sac", "ddpg", "td3", "reinforce", "sarsa", "qlearning"]

    /// The hyperparameters a resumed run continues with: the checkpoint's, and the words given
    /// only if they say the same (or let --total-steps grow).
    private func resumedHyperparameters<Command: TrainingCommand>(_ command: Command, from checkpoint: LoadedCheckpoint,
                                                                  algo: String) throws -> Command.Hyperparameters {
        let file = checkpoint.directory.appendingPathComponent("arguments.json").path
        guard checkpoint.header.algo == algo else {
            throw ValidationError("\(checkpoint.directory.path) is a checkpoint of \(checkpoint.header.algo), not \(algo)")
        }
        if let env, env != checkpoint.header.env { throw ValidationError("--env \(env) differs from the checkpoint's \(checkpoint.header.env)") }
        if let seed, seed != checkpoint.seed { throw ValidationError("--seed \(seed) differs from the checkpoint's \(checkpoint.header.seed)") }
        let saved: Command.Hyperparameters
        do {
            saved = try JSONDecoder().decode(Command.Hyperparameters.self, from: checkpoint.arguments)
        } catch {
            throw ValidationError("\(file) does not hold \(algo)'s hyperparameters: \(error)")
        }
        let given: Command.Hyperparameters
        do {
            given = try saved.parsing(command.hyperparameterWords)
        } catch let error as HyperparameterError {
            throw ValidationError(error.message)
        }
        let changed = zip(saved.entries, given.entries).filter { $0.value != $1.value && $0.key != "total_steps" }
        guard changed.isEmpty else {
            throw ValidationError("--resume continues with the saved hyperparameters, and these differ from \(file): "
                + changed.map { "--\($0.flag) \($1.value) (saved: \($0.value))" }.joined(separator: ", "))
        }
        if let total = given.entries.first(where: { $0.key == "total_steps" }).flatMap({ Int($0.value) }),
           let savedTotal = saved.entries.first(where: { $0.key == "total_steps" }).flatMap({ Int($0.value) }), total < savedTotal {
            throw ValidationError("--total-steps may grow on --resume, not shrink (saved: \(savedTotal))")
        }
        if let problem = given.problem { throw ValidationError(problem) }
        return given
    }

    /// Ends a run that stopped early: saves, says where, and exits 128 + the signal (1 when the
    /// daemon is gone).
    private func stopped(_ session: TrainingSession, _ trained: TrainedAgent, runDirectory: URL) throws -> Never {
        let run = try session.finishStopped(trained, save: save.map { URL(fileURLWithPath: $0) }, runDirectory: runDirectory)
        var lines = ["training stopped at step \(run.steps): " + {
            switch run.reason {
            case .signal(let number): return number == SIGINT ? "interrupted (SIGINT)" : "terminated (signal \(number))"
            case .stepLimit(let limit): return "stopped after \(limit) steps"
            case .lost(let what): return what
            }
        }()]
        lines.append("last policy: \(run.policy.path)")
        if let best = run.bestPolicy { lines.append("best validated policy: \(best.path)") }
        if let checkpoint = run.checkpoint {
            lines.append("checkpoint: \(checkpoint.path) (continue with --resume \(runDirectory.path))")
        } else {
            lines.append("checkpoint: none (\(session.state.isComplete ? "none written yet" : "this run's learner does not checkpoint its state yet"))")
        }
        if let logdir { lines.append("learning curve and logs: \(URL(fileURLWithPath: logdir, isDirectory: true).path)") }
        FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        switch run.reason {
        case .signal(let number): throw ExitCode(128 + number)
        case .stepLimit: throw ExitCode(1)
        case .lost: throw ExitCode(1)
        }
    }

    /// The first SIGINT or SIGTERM asks `session` to stop at its next step boundary; a second
    /// exits at once with 128 + the signal.
    private static func stopOnSignals(_ session: TrainingSession) {
        var logger = Logger(label: "gym.train")
        logger.logLevel = .notice
        let signals = ShutdownSignals(logger: logger, message: "stopping at the next step boundary (again to exit at once)")
        let stop = session.stop
        signals.onSignalNumber { number in
            if stop.requested != nil { _exit(128 + number) }
            stop.request(.signal(number))
        }
        signalsInUse = signals
    }
}

/// The train command's signal handler, kept for the life of the process.
nonisolated(unsafe) private var signalsInUse: ShutdownSignals?
