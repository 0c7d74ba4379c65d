import Foundation

/// Why a run ended before its budget.
public enum StopReason: Sendable, Equatable {
    /// SIGINT or SIGTERM (the signal's number).
    case signal(Int32)
    /// `TrainingSession.stopAfterSteps` was reached (tests, time slices).
    case stepLimit(Int)
    /// The daemon stopped answering: what is gone, for a person.
    case lost(String)
}

/// The one cooperative stop flag of a run: set from any thread (the signal handler's), read by
/// the training loops at step boundaries, so a stop never leaves a half-applied update behind.
public final class StopRequest: @unchecked Sendable {
    private let lock = NSLock()
    private var reason: StopReason?

    /// No stop asked for yet.
    public init() {}

    /// Asks the run to stop at its next step boundary; the first reason given is kept.
    public func request(_ reason: StopReason) {
        lock.withLock { if self.reason == nil { self.reason = reason } }
    }

    /// The stop asked for, or nil.
    public var requested: StopReason? { lock.withLock { reason } }
}
