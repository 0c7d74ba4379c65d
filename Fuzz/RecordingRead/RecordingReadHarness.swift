// A libFuzzer harness for the recording reader as `gym replay` uses it (issue 13, item 6):
// each input is a SQLite file's bytes, written to a file and opened with RecordingReader, whose
// episodes, lineages, facts and (for the first few) arrays and their layouts are then read.
import Foundation
import FuzzSupport
import GymCore
import GymProtocol
import Recorder

/// This process's scratch file (a fresh name per process, so parallel runs never share one).
let scratch = NSTemporaryDirectory() + "fuzz-recording-\(getpid()).sqlite"

func removeScratch() {
    for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: scratch + suffix) }
}

func runRecordingInput(_ bytes: [UInt8]) {
    removeScratch()
    defer { removeScratch() }
    guard FileManager.default.createFile(atPath: scratch, contents: Data(bytes)) else { return }
    guard let reader = try? RecordingReader(path: scratch) else { return }
    _ = try? reader.facts()
    guard let episodes = try? reader.episodes(EpisodeFilter()) else { return }
    for summary in episodes.prefix(4) {
        if let lineage = summary.lineageID { _ = try? reader.lineage(lineage) }
        guard let episode = try? reader.episode(summary.id) else { continue }
        // What replay's render does with the arrays: one action and observation per step.
        let actions = episode.spec.actionSpace.byteCount, observations = episode.spec.observationSpace.byteCount
        _ = (actions, observations, episode.rewards.reduce(0, +), episode.terminated.count, episode.truncated.count)
    }
}

/// Recordings of a few batches (discrete and continuous, each autoreset mode), written by the
/// recorder's own store from real daemon events and compacted into one file; and a WAL-mode
/// one as the recorder leaves it.
func recordingSeeds() throws -> [(String, [UInt8])] {
    func recording(_ name: String, _ batches: [[[UInt8]]], compact: Bool) throws -> (String, [UInt8]) {
        let path = NSTemporaryDirectory() + "fuzz-recording-seed-\(getpid())-\(name).sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        do {
            let store = try EpisodeStore(path: path, source: "tcp://127.0.0.1:5556")
            let assembler = EpisodeAssembler(sink: store)
            for frame in batches.joined() { try frame.withUnsafeBytes { try assembler.consume($0) } }
            try assembler.finishRunning()
            try store.commit()
            if compact {
                try store.database.execute("PRAGMA journal_mode=DELETE")
                try store.database.execute("PRAGMA page_size=1024")
                try store.database.execute("VACUUM")
            }
        }
        return (name, [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
    }
    let cartPole = try DaemonEvents.frames(env: "CartPole-v1", numEnvs: 2, autoreset: .nextStep, steps: 30) { _ in
        NDArray(dtype: .int64, shape: [2], values: [1, 0])
    }
    let sameStep = try DaemonEvents.frames(env: "CartPole-v1", numEnvs: 1, autoreset: .sameStep, steps: 25) { _ in
        NDArray(dtype: .int64, shape: [1], values: [1])
    }
    let pendulum = try DaemonEvents.frames(env: "Pendulum-v1", numEnvs: 1, autoreset: .nextStep, steps: 6) { t in
        NDArray(dtype: .float32, shape: [1, 1], values: [Double(t) / 3 - 1])
    }
    return [
        try recording("cartpole", [cartPole], compact: true),
        try recording("mixed", [sameStep, pendulum], compact: true),
        try recording("empty", [], compact: true),
        try recording("wal", [pendulum], compact: false),
    ]
}

@main
enum RecordingReadHarness {
    static func main() throws { try FuzzHarness.main(seeds: recordingSeeds, run: runRecordingInput) }
}
