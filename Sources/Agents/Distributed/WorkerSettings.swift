import GymCore

/// A distributed run's settings as a learner hands them to a joining worker (`JoinReply.settings`),
/// read back with typed accessors that name what is missing.
public struct WorkerSettings: Sendable {
    /// The raw values.
    public var values: ValueMap

    /// Wraps values.
    public init(_ values: ValueMap = [:]) { self.values = values }

    /// A text setting.
    public func text(_ key: String) throws -> String {
        guard case .text(let value)? = values[key] else { throw AgentError(.invalidArgument, "the learner sent no \(key)") }
        return value
    }

    /// An integer setting.
    public func int(_ key: String) throws -> Int {
        guard let value = values[key]?.intValue else { throw AgentError(.invalidArgument, "the learner sent no \(key)") }
        return value
    }

    /// A number setting.
    public func double(_ key: String) throws -> Double {
        guard let value = values[key]?.doubleValue else { throw AgentError(.invalidArgument, "the learner sent no \(key)") }
        return value
    }

    /// A map of values; absent means empty (learners before `--env-arg` sent none).
    public func map(_ key: String) throws -> ValueMap {
        switch values[key] {
        case nil: return [:]
        case .map(let map)?: return map
        default: throw AgentError(.invalidArgument, "the learner sent a \(key) that is not a map")
        }
    }

    /// A list of integers.
    public func ints(_ key: String) throws -> [Int] {
        guard case .list(let list)? = values[key] else { throw AgentError(.invalidArgument, "the learner sent no \(key)") }
        return try list.map { guard let value = $0.intValue else { throw AgentError(.invalidArgument, "\(key) holds a non-integer") }; return value }
    }

    /// Sets a value.
    public subscript(key: String) -> Value? {
        get { values[key] }
        set { values[key] = newValue }
    }
}
