import ArgumentParser
import Dispatch
import Foundation
import Logging
import Recorder

extension Gym {
    /// `gym record`: a daemon's event stream into a SQLite recording.
    struct Record: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record every episode a daemon runs into a SQLite file.",
            discussion: """
            Subscribes to the event stream of `gym serve --events ADDR` and stores whole episodes \
            (docs/recording.md describes the file). Runs until SIGINT or SIGTERM, then stores the \
            episodes still running (end_kind 'recorder_stopped'), commits and prints its counts. \
            Appends when FILE exists. --measure-steps N instead times the storage path alone: N \
            CartPole env-steps are stepped in this process, encoded as the daemon encodes them, and \
            stored into FILE; it reports steps_per_s.
            """)

        @Option(help: ArgumentHelp("The daemon's event stream, e.g. tcp://127.0.0.1:5556.", valueName: "addr"))
        var events: String?

        @Option(help: ArgumentHelp("The recording to write (created if missing).", valueName: "file"))
        var out: String

        @Option(help: "Seconds after its end by which an episode is committed: the most a SIGKILL can lose.")
        var commitInterval = 0.5

        @Option(help: "Megabytes the running episodes may hold in memory; past it the largest is dropped and counted.")
        var maxBufferedMb = 512

        @Option(help: ArgumentHelp("Time the storage path with this many synthetic CartPole env-steps instead of recording.", valueName: "n"))
        var measureSteps: Int?

        @Option(help: "For --measure-steps: environments per batched step.")
        var measureBatch = 256

        @Flag(help: "Print one JSON object with the counts as the last line.")
        var json = false

        @Option(help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
        var logLevel: Logger.Level = .info

        @OptionGroup var security: SecurityOptions

        func validate() throws {
            guard (events != nil) != (measureSteps != nil) else { throw ValidationError("give exactly one of --events ADDR and --measure-steps N") }
            guard commitInterval > 0, commitInterval.isFinite else { throw ValidationError("--commit-interval must be positive") }
            guard (1...(1 << 20)).contains(maxBufferedMb) else { throw ValidationError("--max-buffered-mb must be in 1...1048576") }
            if let measureSteps, measureSteps < 1 { throw ValidationError("--measure-steps must be positive") }
            guard measureBatch >= 1 else { throw ValidationError("--measure-batch must be at least 1") }
        }

        func run() throws {
            LogSetup.bootstrap(level: logLevel)
            if let measureSteps {
                let result = try RecordMeasurement.run(steps: measureSteps, batch: measureBatch, path: out)
                for (key, value) in result { print("\(key): \(value.rendered)") }
                if json { print(JSONText.object(result).rendered) }
                return
            }
            let logger = Logger(label: "gym.record")
            try security.install()
            let signals = ShutdownSignals(logger: logger, message: "storing running episodes and stopping")
            var configuration = Recorder.Configuration(events: events ?? "", path: out)
            configuration.commitInterval = commitInterval
            configuration.maxBufferedBytes = maxBufferedMb << 20
            let recorder: Recorder
            do {
                recorder = try Recorder(configuration: configuration, logger: logger)
            } catch {
                throw RuntimeFailure("could not open \(out): \(error)")
            }
            signals.stops(recorder)
            let statistics = try recorder.run()
            let fields = RecorderReport.fields(statistics, path: out)
            for (key, value) in fields { print("\(key): \(value)") }
            if json { print(RecorderReport.json(statistics, path: out)) }
        }
    }
}
