import ArgumentParser

/// The `gym` command: an environment daemon and its clients.
@main
struct Gym: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gym",
        abstract: "Reinforcement-learning environments served over ZeroMQ.",
        discussion: """
        Start a daemon with `gym serve`; point other commands at it with --server. Without \
        --server, a command starts a daemon inside its own process, so it works with nothing set up.
        """,
        subcommands: [Serve.self, Envs.self, Rollout.self, Bench.self, Train.self, Eval.self, Record.self, Replay.self, Buffer.self, Worker.self, Keygen.self])

    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let error = Train.unknownAlgorithm(in: arguments) { Train.exit(withError: error) }
        main(arguments)
    }
}
