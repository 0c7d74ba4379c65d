import Agents
import ArgumentParser
import Foundation

extension Gym {
    /// `gym train ALGO`: train an agent, evaluate it greedily, optionally save it.
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train an agent on an environment.",
            discussion: """
            Every algorithm reaches environments through a daemon (--server, or one in this process), \
            seeds every random stream from --seed, prints a progress line on stderr, and after \
            training plays --eval-episodes greedy episodes, each seeded from the run seed. With \
            --logdir it writes episodes.csv, TensorBoard event files and learning_curve.svg there; \
            with --save, the policy as safetensors plus FILE.json. With --json the last line of \
            stdout is {"algo", "env", "seed", "steps", "episodes", "wall_s", "eval_episodes", \
            "eval_mean", "eval_std", "solved"}; solved is eval_mean >= the environment's reward \
            threshold (null when it has none).
            """,
            subcommands: [TrainSARSA.self, TrainQLearning.self, TrainDQN.self, TrainReinforce.self, TrainA2C.self, TrainPPO.self,
                          TrainA3C.self, TrainDDPG.self, TrainTD3.self, TrainSAC.self])
    }
}

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

/// A comma-separated list of numbers, e.g. `--hidden-sizes 64,64` or `--low=-2.4,-3,-0.5,-2`.
struct NumberList<Number: LosslessStringConvertible & Sendable>: ExpressibleByArgument, Sendable {
    var values: [Number]

    init(_ values: [Number]) { self.values = values }

    init?(argument: String) {
        let parts = argument.split(separator: ",").map { Number(String($0).trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else { return nil }
        values = parts.compactMap { $0 }
    }

    var defaultValueDescription: String { values.map(\.description).joined(separator: ",") }
}

extension ExplorationSchedule: ExpressibleByArgument {
    /// Reads the schedule forms of `ExplorationSchedule(parsing:)`.
    public init?(argument: String) { self.init(parsing: argument) }
}

extension DQN.LossKind: ExpressibleByArgument {}

/// Options of both tabular methods.
struct TabularOptions: ParsableArguments {
    private static let defaults = Tabular.Arguments(method: .qLearning)

    @Option(help: "Training episodes at most (training stops early once a greedy validation reaches the reward threshold).")
    var episodes = defaults.episodes

    @Option(name: .customLong("alpha"), help: "Step size α of the table update.")
    var learningRate = defaults.learningRate

    @Option(help: "Discount factor γ.")
    var gamma = defaults.gamma

    @Option(help: "Bins per observation dimension.")
    var bins = defaults.bins

    @Option(help: ArgumentHelp("Lower ends of the binned ranges, comma-separated (default: the lecture's for CartPole, else the space's bounds); write --low=-2.4,...", valueName: "list"))
    var low: NumberList<Double>?

    @Option(help: ArgumentHelp("Upper ends of the binned ranges, comma-separated.", valueName: "list"))
    var high: NumberList<Double>?

    @Option(help: "Initial Q values are uniform in [-bound, bound].")
    var initialBound: Float = defaults.initialBound

    @Option(help: "When an episode terminates before its time limit, its last reward becomes -penalty.")
    var penalty: Double = defaults.penalty ?? 10

    @Flag(help: "Keep the true reward on early termination (no penalty shaping).")
    var noPenalty = false

    @Option(help: ArgumentHelp("ε schedule: inverse:SCALE (SCALE/(episode+1)), linear:START:END:STEPS or constant:E.", valueName: "schedule"))
    var exploration = defaults.exploration

    @Option(help: "Training episodes whose mean return must reach the threshold before a greedy validation.")
    var solveWindow = defaults.solveWindow

    @Option(help: "Greedy episodes per validation (0: no early stopping).")
    var validationEpisodes = defaults.validationEpisodes

    func validate() throws {
        guard (low == nil) == (high == nil) else { throw ValidationError("give both --low and --high, or neither") }
        guard episodes >= 1, bins >= 1 else { throw ValidationError("--episodes and --bins must be at least 1") }
    }

    func arguments(_ method: Tabular.Method) -> Tabular.Arguments {
        var args = Tabular.Arguments(method: method)
        args.episodes = episodes
        args.learningRate = learningRate
        args.gamma = gamma
        args.bins = bins
        args.low = low?.values
        args.high = high?.values
        args.initialBound = initialBound
        args.penalty = noPenalty ? nil : penalty
        args.exploration = exploration
        args.solveWindow = solveWindow
        args.validationEpisodes = validationEpisodes
        return args
    }
}

/// `gym train sarsa`.
struct TrainSARSA: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sarsa", abstract: "Tabular SARSA over discretized observations (the lecture notebook's).")

    @OptionGroup var common: TrainOptions
    @OptionGroup var tabular: TabularOptions

    func run() throws {
        try common.run(algo: "sarsa") { try Tabular.train(tabular.arguments(.sarsa), session: $0) }
    }
}

/// `gym train qlearning`.
struct TrainQLearning: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qlearning", abstract: "Tabular Q-learning over discretized observations (the lecture notebook's).")

    @OptionGroup var common: TrainOptions
    @OptionGroup var tabular: TabularOptions

    func run() throws {
        try common.run(algo: "qlearning") { try Tabular.train(tabular.arguments(.qLearning), session: $0) }
    }
}

/// `gym train dqn`.
struct TrainDQN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dqn", abstract: "Deep Q-Network: replay, target network, double-DQN targets, MSE or Huber loss.")

    private static let defaults = DQN.Arguments()

    @OptionGroup var common: TrainOptions

    @Option(help: "Environments stepped side by side.")
    var numEnvs = defaults.numEnvs

    @Option(help: "Environment steps at most, all environments together (training stops early once solved).")
    var totalSteps = defaults.totalSteps

    @Option(help: "Adam's learning rate.")
    var learningRate = defaults.learningRate

    @Option(help: "Transitions the replay buffer holds.")
    var bufferSize = defaults.bufferSize

    @Option(help: "Discount factor γ.")
    var gamma = defaults.gamma

    @Option(help: "Target update θ' ← τθ + (1−τ)θ'; 1 is a hard copy.")
    var tau = defaults.tau

    @Option(help: "Environment steps between target updates.")
    var targetUpdateInterval = defaults.targetUpdateInterval

    @Option(help: "Transitions per gradient step.")
    var batchSize = defaults.batchSize

    @Option(help: ArgumentHelp("Hidden layer widths, comma-separated.", valueName: "list"))
    var hiddenSizes = NumberList(defaults.hiddenSizes)

    @Option(help: "Environment steps before learning starts.")
    var learningStarts = defaults.learningStarts

    @Option(help: "Environment steps per gradient step.")
    var trainFrequency = defaults.trainFrequency

    @Option(help: ArgumentHelp("ε schedule: linear:START:END:STEPS, inverse:SCALE or constant:E.", valueName: "schedule"))
    var exploration = defaults.exploration

    @Option(help: "TD loss: huber or mse.")
    var loss = defaults.loss

    @Flag(inversion: .prefixedNo, help: "Double-DQN targets (the online network picks the next action).")
    var doubleDqn = defaults.doubleDQN

    @Option(help: "Clip rewards to [-c, c] before storing them.")
    var rewardClip: Double?

    @Option(help: "Clip gradients to this global L2 norm (0: no clipping).")
    var maxGradNorm = defaults.maxGradNorm ?? 0

    @Option(help: "Training episodes whose mean return must reach the threshold before a greedy validation.")
    var solveWindow = defaults.solveWindow

    @Option(help: "Greedy episodes per validation (0: no early stopping).")
    var validationEpisodes = defaults.validationEpisodes

    @OptionGroup(title: "Ape-X (distributed actors)") var apex: ApeXOptions

    func validate() throws {
        if let problem = arguments.problem { throw ValidationError(problem) }
        if let rewardClip, !(rewardClip > 0) { throw ValidationError("--reward-clip must be positive") }
        if apex.actors > 0, let problem = apex.arguments(arguments).problem { throw ValidationError(problem) }
    }

    var arguments: DQN.Arguments {
        var args = DQN.Arguments()
        args.numEnvs = numEnvs
        args.totalSteps = totalSteps
        args.learningRate = learningRate
        args.bufferSize = bufferSize
        args.gamma = gamma
        args.tau = tau
        args.targetUpdateInterval = targetUpdateInterval
        args.batchSize = batchSize
        args.hiddenSizes = hiddenSizes.values
        args.learningStarts = learningStarts
        args.trainFrequency = trainFrequency
        args.exploration = exploration
        args.loss = loss
        args.doubleDQN = doubleDqn
        args.rewardClip = rewardClip
        args.maxGradNorm = maxGradNorm > 0 ? maxGradNorm : nil
        args.solveWindow = solveWindow
        args.validationEpisodes = validationEpisodes
        return args
    }

    func run() throws {
        let args = arguments
        if apex.actors > 0 {
            try common.run(algo: "dqn", shared: true) { try apex.train(args, session: $0) }
        } else {
            try common.run(algo: "dqn") { try DQN.train(args, session: $0) }
        }
    }
}
