/// What the daemon does when an event subscriber cannot keep up.
public enum EventPolicy: String, Sendable, CaseIterable {
    /// Back-pressure: no event is ever dropped; workers wait for room, which slows clients down
    /// to the subscriber's pace. The default, because a recording with holes cannot be replayed.
    case block
    /// Never wait: events that do not fit are dropped, counted, logged, and show as sequence gaps.
    case drop
}
