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
        if let command = arguments.first, servingCommands.contains(command) { returnLargeBuffersToTheSystem() }
        if let error = Train.unknownAlgorithm(in: arguments) { Train.exit(withError: error) }
        main(arguments)
    }

    /// The commands that serve peers for as long as they run.
    private static let servingCommands: Set<String> = ["serve", "buffer", "worker"]

    /// Services receive requests of up to megabytes from any peer. glibc's malloc raises its
    /// mmap threshold after each large free, so later large buffers come from the heap, which a
    /// flood of them leaves fragmented and resident after the requests are gone. A fixed threshold
    /// keeps buffers of 128 KiB and more in their own mappings, returned to the system on free:
    /// after 20,000 fuzzed requests the parameter service stayed 11% above its resident baseline
    /// without it and 2% with it (`scripts/abuse fuzz --service parameters`).
    /// Only serving commands take it: a training loop frees and reallocates its 256 KiB tensors
    /// every update, and with them in their own mappings a fifth of TD3's time on HalfCheetah went
    /// to page faults.
    private static func returnLargeBuffersToTheSystem() {
        #if os(Linux)
        _ = glibcMallopt(-3 /* M_MMAP_THRESHOLD */, 128 * 1024)
        _ = glibcMallopt(-1 /* M_TRIM_THRESHOLD */, 1 << 20)
        #endif
    }
}

#if os(Linux)
/// glibc's `mallopt` (malloc.h, which Swift's Glibc module does not export).
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
