import ArgumentParser
import Foundation
import GymClient
import GymCore
import GymProtocol
import ImageFormats
import Recorder

extension Gym {
    /// `gym replay`: list, verify, render and export recorded episodes.
    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List, verify, render or export the episodes of a recording.",
            discussion: """
            --to-buffer ADDR --table NAME loads the listed episodes' transitions (obs, action, \
            reward, next_obs, terminated, truncated) into a table of `gym buffer`. \
            Without an action, lists the episodes with the run and role of the client that \
            played them, as its hello said (filter with --env, --run, --role, --min/max-return, \
            --min/max-length; recordings made before runs had names list "-"). --verify re-simulates episodes through a daemon (--server, or one \
            in this process) from their seeds and actions and reports the first step that differs; \
            episodes that continued their env's generator are re-simulated with their lineage from \
            the last seeded reset. Without --episode it verifies every listed episode and exits \
            with status 1 if any differs. --render OUT re-simulates --episode, renders every step \
            and writes OUT.html (a self-contained player) and OUT.gif. The recording's format is \
            in docs/recording.md.
            """)

        @Argument(help: ArgumentHelp("The recording (from gym record).", valueName: "file"))
        var file: String

        @Flag(help: "List the episodes (the default action).")
        var list = false

        @Option(help: "Only episodes of this environment id.")
        var env: String?

        @Option(name: .customLong("run"), help: "Only episodes of this run (the --run-name of the gym train that played them).")
        var runName: String?

        @Option(help: "Only episodes of clients in this role: train, validate, eval or worker.")
        var role: String?

        @Option(help: "Only episodes with at least this return.")
        var minReturn: Double?

        @Option(help: "Only episodes with at most this return.")
        var maxReturn: Double?

        @Option(help: "Only episodes with at least this many steps.")
        var minLength: Int?

        @Option(help: "Only episodes with at most this many steps.")
        var maxLength: Int?

        @Option(help: "List at most this many episodes.")
        var limit: Int?

        @Option(help: "The episode to verify or render.")
        var episode: Int64?

        @Flag(help: "Re-simulate and compare bit for bit.")
        var verify = false

        @Option(help: ArgumentHelp("Render --episode to OUT.html and OUT.gif.", valueName: "out"))
        var render: String?

        @Option(help: "Frames per second of the animation (default: the environment's usual rate).")
        var fps: Double?

        @Option(help: "Shrink GIF frames by this integer factor (1 keeps the render size).")
        var gifScale = 2

        @Option(help: ArgumentHelp("Load the listed episodes' transitions into a table of the replay-buffer service at ADDR.", valueName: "addr"))
        var toBuffer: String?

        @Option(help: ArgumentHelp("The buffer table for --to-buffer (created, uniform, if missing).", valueName: "name"))
        var table: String?

        @Option(help: "For --to-buffer: most items a created table holds.")
        var maxSize = 1_000_000

        @Flag(help: "Print one JSON object as the last line.")
        var json = false

        @OptionGroup var server: ServerOptions

        func validate() throws {
            if render != nil && episode == nil { throw ValidationError("--render needs --episode ID") }
            if let limit, limit < 1 { throw ValidationError("--limit must be positive") }
            if let role, !Self.roles.contains(role) {
                throw ValidationError("--role must be one of \(Self.roles.joined(separator: ", ")), got \(role.debugDescription)")
            }
            if let fps, !(fps > 0 && fps <= 1_000) { throw ValidationError("--fps must be a number of frames per second in (0, 1000]") }
            if (toBuffer != nil) != (table != nil) { throw ValidationError("--to-buffer ADDR and --table NAME go together") }
            guard maxSize >= 1 else { throw ValidationError("--max-size must be positive") }
            guard gifScale >= 1 else { throw ValidationError("--gif-scale must be at least 1") }
        }

        func run() throws {
            let reader: RecordingReader
            do {
                reader = try RecordingReader(path: file)
            } catch {
                throw InputFileError(file, "cannot read this recording: \(error)")
            }
            if let toBuffer, let table {
                try loadBuffer(toBuffer, table: table, reader: reader)
            } else if let render, let episode {
                try renderEpisode(episode, to: render, reader: reader)
            } else if verify {
                try verifyEpisodes(reader)
            } else {
                try listEpisodes(reader)
            }
        }

        private var filter: EpisodeFilter {
            var filter = EpisodeFilter()
            filter.env = env
            filter.minReturn = minReturn
            filter.maxReturn = maxReturn
            filter.minLength = minLength
            filter.maxLength = maxLength
            filter.limit = limit
            filter.run = runName
            filter.role = role
            return filter
        }

        /// The roles a client can give in its hello.
        static let roles = Gym_V1_ClientRole.names

        private func listEpisodes(_ reader: RecordingReader) throws {
            let episodes = try reader.episodes(filter)
            print("id\tenv\tlength\treturn\tend\tstart\tseed\tlineage\trun\trole")
            for episode in episodes {
                let lineage = episode.lineageID.map { "\($0)/\(episode.lineageIndex ?? 0)" } ?? "-"
                print("\(episode.id)\t\(episode.envID)\t\(episode.length)\t\(episode.totalReturn)\t\(episode.endKind)\t\(episode.startKind)\t\(episode.seed.map(String.init) ?? "-")\t\(lineage)\t\(episode.run ?? "-")\t\(episode.role ?? "-")")
            }
            let steps = episodes.reduce(0) { $0 + $1.length }
            FileHandle.standardError.write(Data("\(episodes.count) episode(s), \(steps) step(s)\n".utf8))
            if json {
                print(JSONText.object([
                    ("count", .int(Int64(episodes.count))),
                    ("steps", .int(Int64(steps))),
                    ("episodes", .array(episodes.map(Self.json))),
                ]).rendered)
            }
        }

        static func json(_ episode: EpisodeSummary) -> JSONText {
            .object([
                ("id", .int(episode.id)), ("env", .string(episode.envID)), ("length", .int(Int64(episode.length))),
                ("return", .double(episode.totalReturn)), ("terminated", .bool(episode.terminated)),
                ("truncated", .bool(episode.truncated)), ("end_kind", .string(episode.endKind)),
                ("start_kind", .string(episode.startKind)),
                ("seed", episode.seed.map { .int(Int64(bitPattern: $0)) } ?? .null),
                ("lineage_id", episode.lineageID.map { .int($0) } ?? .null),
                ("lineage_index", episode.lineageIndex.map { .int(Int64($0)) } ?? .null),
                ("client", .string(episode.client)), ("batch_id", .int(episode.batchID)), ("env_index", .int(Int64(episode.envIndex))),
                ("start_time", .double(episode.startTime)), ("end_time", .double(episode.endTime)),
                ("run", episode.run.map(JSONText.string) ?? .null), ("algorithm", episode.algorithm.map(JSONText.string) ?? .null),
                ("role", episode.role.map(JSONText.string) ?? .null),
            ])
        }

        private func verifyEpisodes(_ reader: RecordingReader) throws {
            let (connection, embedded) = try server.connect(clientName: "gym replay")
            defer { embedded?.shutdown() }
            let resimulator = EpisodeResimulator(connection: connection, reader: reader)
            var selected: [EpisodeSummary]
            if let episode {
                selected = try reader.episodes().filter { $0.id == episode }
                guard !selected.isEmpty else { throw ValidationError("no episode \(episode) in \(file)") }
            } else {
                selected = try reader.episodes(filter)
            }
            var results: [VerificationResult] = []
            // Each lineage is re-simulated once, as far as its last selected episode.
            var byLineage: [Int64: Int] = [:]
            for summary in selected {
                guard let lineage = summary.lineageID, let index = summary.lineageIndex else {
                    results.append(VerificationResult(episodeID: summary.id, stepsCompared: 0,
                        difference: "not reproducible: the recorder did not see the seeded reset this episode descends from"))
                    continue
                }
                byLineage[lineage] = max(byLineage[lineage] ?? 0, index)
            }
            let wanted = Set(selected.map(\.id))
            let started = Date()
            var lastProgress = started
            for (done, (lineage, last)) in byLineage.sorted(by: { $0.key < $1.key }).enumerated() {
                do {
                    let lineageResults = try resimulator.verify(lineage: lineage, through: last)
                    results += lineageResults.filter { wanted.contains($0.episodeID) }
                } catch let error as GymError where error.code != .timedOut {
                    for summary in selected where summary.lineageID == lineage {
                        results.append(VerificationResult(episodeID: summary.id, stepsCompared: 0, difference: "not reproducible: \(error.message)"))
                    }
                }
                if Date().timeIntervalSince(lastProgress) >= 2 {
                    lastProgress = Date()
                    FileHandle.standardError.write(Data("verified \(done + 1)/\(byLineage.count) lineage(s), \(results.count) episode(s)\n".utf8))
                }
            }
            results.sort { $0.episodeID < $1.episodeID }
            let failures = results.filter { !$0.passed }
            for failure in failures.prefix(20) { print("episode \(failure.episodeID): \(failure.difference ?? "")") }
            if failures.count > 20 { print("... and \(failures.count - 20) more") }
            let steps = results.reduce(0) { $0 + $1.stepsCompared }
            let seconds = Date().timeIntervalSince(started)
            if let episode, let result = results.first {
                print(result.passed ? "episode \(episode): identical over \(result.stepsCompared) step(s) (reset included)" : "episode \(episode): differs")
            } else {
                print("\(results.count - failures.count)/\(results.count) episode(s) identical, \(steps) step(s) compared in \(String(format: "%.1f", seconds)) s")
            }
            if json {
                print(JSONText.object([
                    ("episodes", .int(Int64(results.count))),
                    ("passed", .int(Int64(results.count - failures.count))),
                    ("failed", .int(Int64(failures.count))),
                    ("steps_compared", .int(Int64(steps))),
                    ("lineages", .int(Int64(byLineage.count))),
                    ("seconds", .double(seconds)),
                    ("failures", .array(failures.prefix(100).map {
                        .object([("episode", .int($0.episodeID)), ("difference", .string($0.difference ?? ""))])
                    })),
                ]).rendered)
            }
            if !failures.isEmpty { throw ExitCode(1) }
        }

        private func loadBuffer(_ endpoint: String, table: String, reader: RecordingReader) throws {
            LogSetup.bootstrap(level: server.logLevel)
            let client = try BufferClient(endpoint: endpoint, timeout: server.timeout, clientName: "gym replay")
            let started = Date()
            let outcome = try TransitionLoader(reader: reader, client: client, table: table)
                .load(filter, only: episode, maxSize: maxSize, timeout: server.timeout)
            let seconds = Date().timeIntervalSince(started)
            print("loaded \(outcome.transitions) transition(s) of \(outcome.episodes) episode(s) into \(table) at \(endpoint) in \(outcome.inserts) insert(s); table size \(outcome.tableSize)")
            if json {
                print(JSONText.object([
                    ("table", .string(table)), ("episodes", .int(Int64(outcome.episodes))), ("transitions", .int(Int64(outcome.transitions))),
                    ("inserts", .int(Int64(outcome.inserts))), ("table_size", .int(Int64(outcome.tableSize))), ("seconds", .double(seconds)),
                ]).rendered)
            }
        }

        private func renderEpisode(_ id: Int64, to out: String, reader: RecordingReader) throws {
            let recorded = try reader.episode(id)
            let (connection, embedded) = try server.connect(clientName: "gym replay")
            defer { embedded?.shutdown() }
            let resimulator = EpisodeResimulator(connection: connection, reader: reader)
            var frames: [HTMLPlayer.Frame] = []
            var total = 0.0
            let actionLayout = recorded.spec.actionSpace
            let result: VerificationResult
            do {
                result = try resimulator.verify(episode: id, render: true) { _, t, frame in
                    var caption = "t=\(t)"
                    if t > 0 {
                        let stride = actionLayout.byteCount
                        let bytes = Array(recorded.actions[((t - 1) * stride)..<(t * stride)])
                        let action = actionLayout.leaves.count == 1
                            ? NDArray(dtype: actionLayout.dtype, shape: actionLayout.shape, bytes: bytes).doubles.map { String($0) }.joined(separator: ", ")
                            : "\(bytes.count) bytes"
                        total += recorded.rewards[t - 1]
                        caption += "  action=[\(action)]  reward=\(recorded.rewards[t - 1])  return=\(total)"
                        if recorded.terminated[t - 1] != 0 { caption += "  terminated" }
                        if recorded.truncated[t - 1] != 0 { caption += "  truncated" }
                    } else {
                        caption += "  reset" + (recorded.summary.seed.map { " (seed \($0))" } ?? "")
                    }
                    frames.append(HTMLPlayer.Frame(image: frame, caption: caption))
                }
            } catch let error as GymError where error.code == .invalidArgument || error.code == .malformed {
                // What the recording says cannot be re-simulated: a fault of the file, named.
                throw InputFileError(file, error.message)
            }
            guard !frames.isEmpty else {
                throw InputFileError(file, "episode \(id) could not be re-simulated: \(result.difference ?? "no frame was rendered")")
            }
            let base = Self.basePath(out)
            let rate = fps ?? Self.defaultFPS(recorded.spec.id)
            let summary = recorded.summary
            let subtitle = "episode \(id): \(summary.length) steps, return \(summary.totalReturn), ended \(summary.endKind)"
                + (result.passed ? "; re-simulated bit for bit" : "; re-simulation differs: \(result.difference ?? "")")
            let page = try HTMLPlayer.page(title: "\(summary.envID) — episode \(id)", subtitle: subtitle, frames: frames, fps: rate)
            try Data(page.utf8).write(to: URL(fileURLWithPath: base + ".html"))
            // Browsers show a GIF frame for at least 2 cs (shorter delays play as 10 cs), so above
            // 50 fps (Hopper's 125) the GIF keeps every k-th frame and plays in real time.
            let every = max(1, Int((rate / 50).rounded(.up)))
            let gifFrames = stride(from: 0, to: frames.count, by: every).map { Self.shrink(frames[$0].image, by: gifScale) }
            let delay = max(2, Int((100 * Double(every) / rate).rounded()))
            try GIFEncoder.write(gifFrames, delayCentiseconds: delay, to: base + ".gif")
            print("wrote \(base).html and \(base).gif: \(frames.count) frame(s) at \(rate) fps")
            if !result.passed { print("warning: \(result.difference ?? "")") }
            if json {
                print(JSONText.object([
                    ("episode", .int(id)), ("html", .string(base + ".html")), ("gif", .string(base + ".gif")),
                    ("frames", .int(Int64(frames.count))), ("fps", .double(rate)), ("identical", .bool(result.passed)),
                ]).rendered)
            }
        }

        static func basePath(_ out: String) -> String {
            for suffix in [".html", ".gif"] where out.hasSuffix(suffix) { return String(out.dropLast(suffix.count)) }
            return out
        }

        /// Gymnasium's `render_fps` of the shipped environments.
        static func defaultFPS(_ env: String) -> Double {
            switch env.split(separator: "-").first ?? "" {
            case "CartPole": return 50
            case "Acrobot": return 15
            // MuJoCo: round(1 / dt) at the default frame_skip.
            case "HalfCheetah", "Ant", "InvertedDoublePendulum", "Pusher": return 20
            case "Hopper", "Walker2d": return 125
            case "Humanoid", "HumanoidStandup": return 67
            case "InvertedPendulum", "Swimmer": return 25
            case "Reacher": return 50
            default: return 30
            }
        }

        static func shrink(_ frame: RGBFrame, by factor: Int) -> RGBFrame {
            guard factor > 1 else { return frame }
            let width = max(1, frame.width / factor), height = max(1, frame.height / factor)
            var pixels = [UInt8](repeating: 0, count: width * height * 3)
            for y in 0..<height {
                for x in 0..<width {
                    let from = ((y * factor) * frame.width + x * factor) * 3
                    let to = (y * width + x) * 3
                    pixels[to] = frame.pixels[from]
                    pixels[to + 1] = frame.pixels[from + 1]
                    pixels[to + 2] = frame.pixels[from + 2]
                }
            }
            return RGBFrame(width: width, height: height, pixels: pixels) ?? frame
        }
    }
}
