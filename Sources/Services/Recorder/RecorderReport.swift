import Foundation
import GymCore
import GymProtocol
import Logging
import ServiceRuntime
import ZeroMQ

/// The recorder's statistics as one JSON object (for `--json` and the `recording` table).
public enum RecorderReport {
    /// Every counter, keyed as documented in docs/recording.md.
    public static func fields(_ statistics: Recorder.Statistics, path: String) -> [(String, String)] {
        let counters = statistics.assembler
        return [
            ("out", { var text = ""; ValueJSON.quote(path, into: &text); return text }()),
            ("episodes", "\(counters.episodes)"),
            ("steps", "\(counters.steps)"),
            ("autoreset_steps", "\(counters.autoresetSteps)"),
            ("env_steps", "\(counters.steps + counters.autoresetSteps)"),
            ("events", "\(counters.events)"),
            ("lost_events", "\(counters.lostEvents)"),
            ("daemon_dropped_events", "\(counters.daemonDroppedEvents)"),
            ("dropped_episodes", "\(counters.droppedEpisodes)"),
            ("discarded_episodes", "\(counters.discardedEpisodes)"),
            ("discarded_steps", "\(counters.discardedSteps)"),
            ("capped_episodes", "\(counters.cappedEpisodes)"),
            ("capped_steps", "\(counters.cappedSteps)"),
            ("daemon_dropped_episodes", "\(counters.daemonDroppedEpisodes)"),
            ("peak_buffered_bytes", "\(counters.peakBufferedBytes)"),
            ("batches_joined_at_reset", "\(counters.batchesJoinedAtReset)"),
            ("attachments", "\(counters.attachments)"),
            ("daemon_detached_subscribers", "\(counters.daemonDetachedSubscribers)"),
            ("skipped_steps", "\(counters.skippedSteps)"),
            ("malformed_events", "\(statistics.malformedEvents)"),
            ("commits", "\(statistics.commits)"),
            ("max_lag_s", ValueJSON.double(statistics.maxLagSeconds)),
            ("seconds", ValueJSON.double(statistics.seconds)),
            ("steps_per_s", ValueJSON.double(statistics.stepsPerSecond)),
        ]
    }

    /// The fields as a JSON object on one line.
    public static func json(_ statistics: Recorder.Statistics, path: String) -> String {
        "{" + fields(statistics, path: path).map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
    }
}
