import Foundation

/// Where a training run reports: a progress line on stderr, and under a log directory a CSV of
/// episodes (`episodes.csv`), TensorBoard scalars (`events.out.tfevents.*`) and, at the end,
/// the learning curve (`learning_curve.svg`).
///
/// Metric names follow cleanrl's namespaces: `charts/episodic_return`, `charts/episodic_length`,
/// `charts/epsilon`, `charts/SPS`, `losses/td_loss`, `eval/validation_return`.
public final class TrainingMonitor {
    /// What the progress line and the chart title say the run is.
    public let label: String
    /// Where the files go, or nil for none.
    public let logDirectory: URL?
    /// Training episodes so far.
    public private(set) var episodes = 0
    /// Each episode's `(global step at its end, return)`.
    public private(set) var history: [(step: Int, value: Double)] = []
    private let progress: Bool
    private let tensorBoard: TensorBoardWriter?
    private let csv: FileHandle?
    private var csvPending = ""
    /// Every episode's CSV row, so a resumed run rewrites the file it continues.
    private var csvRows: [String] = []
    /// Seconds the run had trained before it was resumed.
    private var elapsedBefore = 0.0
    private let start = DispatchTime.now().uptimeNanoseconds
    private var lastPrint: UInt64 = 0
    private var lastFlush: UInt64 = 0
    private var lastRate: (time: UInt64, step: Int) = (0, 0)
    private var latestStep = 0
    /// Episodes in the progress line's recent mean.
    private let window = 20
    private static let printInterval: UInt64 = 500_000_000

    /// Opens the log files (when `logDirectory` is given); `progress` turns the stderr line on.
    public init(label: String, logDirectory: URL?, progress: Bool) throws(AgentError) {
        self.label = label
        self.logDirectory = logDirectory
        self.progress = progress
        lastPrint = start
        lastFlush = start
        lastRate = (start, 0)
        if let logDirectory {
            tensorBoard = try TensorBoardWriter(directory: logDirectory)
            csv = try TensorBoardWriter.create(logDirectory.appendingPathComponent("episodes.csv"), directory: logDirectory)
            csvPending = "episode,step,return,length,wall_s\n"
        } else {
            tensorBoard = nil
            csv = nil
        }
    }

    /// Seconds since the monitor started.
    public var elapsed: Double { elapsedBefore + Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

    /// Mean return of the last `count` training episodes (nil before the first).
    public func recentMean(_ count: Int) -> Double? {
        guard !history.isEmpty else { return nil }
        let recent = history.suffix(count)
        return recent.reduce(0) { $0 + $1.value } / Double(recent.count)
    }

    /// Records a finished training episode that ended at global step `step`.
    public func episode(_ finished: FinishedEpisode, step: Int) {
        episodes += 1
        latestStep = step
        history.append((step, finished.episodeReturn))
        let wall = elapsed
        let row = "\(episodes),\(step),\(finished.episodeReturn),\(finished.length),\(String(format: "%.3f", wall))\n"
        csvPending += row
        if csv != nil { csvRows.append(row) }
        scalar("charts/episodic_return", finished.episodeReturn, step: step)
        scalar("charts/episodic_length", Double(finished.length), step: step)
        tick(step: step)
    }

    /// Records a scalar at a global step (TensorBoard only).
    public func scalar(_ tag: String, _ value: Double, step: Int) {
        tensorBoard?.scalar(tag, value, step: step)
    }

    /// Records the run's hyperparameters for TensorBoard's HPARAMS tab (TensorBoard only), with
    /// the final evaluation and the episodic return as its metrics; `group` is the run's name.
    public func hyperparameters(_ values: [(key: String, value: HParamValue)], group: String) {
        tensorBoard?.hparams(values, metrics: ["eval/mean_return", "charts/episodic_return"], group: group)
    }

    /// Called as steps go by: prints the progress line and flushes files at most twice a second.
    public func tick(step: Int) {
        latestStep = step
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - lastPrint >= Self.printInterval else { return }
        let rate = Double(step - lastRate.step) / max(Double(now - lastRate.time) / 1e9, 1e-9)
        scalar("charts/SPS", rate, step: step)
        lastRate = (now, step)
        lastPrint = now
        if progress { printProgress(step: step, rate: rate) }
        if now - lastFlush >= 2 * Self.printInterval {
            lastFlush = now
            try? flush()
        }
    }

    /// Prints a line on stderr now, e.g. when validation starts or training ends.
    public func note(_ text: String) {
        guard progress else { return }
        FileHandle.standardError.write(Data("\(label): \(text)\n".utf8))
    }

    private func printProgress(step: Int, rate: Double) {
        let recent = recentMean(window).map { String(format: "%.1f", $0) } ?? "-"
        let line = "\(label) | episode \(episodes) | return (last \(window)) \(recent) | step \(step) | "
            + String(format: "%.0f steps/s | %.1f s", rate, elapsed)
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Writes pending CSV rows and TensorBoard records.
    public func flush() throws(AgentError) {
        try tensorBoard?.flush()
        if let csv, !csvPending.isEmpty {
            do {
                try csv.write(contentsOf: Data(csvPending.utf8))
            } catch {
                throw AgentError(.io, "cannot write episodes.csv: \(error.localizedDescription)")
            }
            csvPending = ""
        }
    }

    /// Flushes and closes the files, and draws the learning curve (with `threshold` as a dashed line).
    public func finish(threshold: Double?) throws(AgentError) {
        try flush()
        try tensorBoard?.close()
        try? csv?.close()
        guard let logDirectory else { return }
        let curve = LearningCurve(title: label, points: history, window: window, threshold: threshold)
        let url = logDirectory.appendingPathComponent("learning_curve.svg")
        do {
            try curve.svg().write(to: url, atomically: true, encoding: .utf8)
        } catch {
            throw AgentError(.io, "cannot write \(url.path): \(error.localizedDescription)")
        }
    }

    /// What a checkpoint keeps of the monitor: the episodes so far (the recent mean and the
    /// ε schedule read them), their CSV rows and the training time.
    struct State: Codable {
        var episodes: Int
        var steps: [Int]
        var returns: [Double]
        var rows: [String]
        var elapsed: Double
    }

    /// The monitor's state now.
    var state: State {
        State(episodes: episodes, steps: history.map(\.step), returns: history.map(\.value), rows: csvRows, elapsed: elapsed)
    }

    /// Continues from a saved state: episodes and history as they were, and the CSV rewritten
    /// with the rows before the checkpoint (the rows written after it are the resumed run's).
    func restore(_ saved: State) throws {
        guard saved.episodes >= 0, saved.steps.count == saved.returns.count, saved.steps.count == saved.episodes,
              saved.rows.count <= saved.episodes, saved.elapsed.isFinite, saved.elapsed >= 0 else {
            throw RunStateError("has a monitor state whose counts disagree")
        }
        episodes = saved.episodes
        history = zip(saved.steps, saved.returns).map { ($0, $1) }
        elapsedBefore = saved.elapsed
        if csv != nil {
            csvRows = saved.rows
            csvPending = "episode,step,return,length,wall_s\n" + saved.rows.joined()
        }
    }
}
