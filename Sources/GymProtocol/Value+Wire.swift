import GymCore

extension Gym_V1_Value {
    /// The wire form of a value.
    public init(_ value: Value) {
        self.init()
        switch value {
        case .number(let number): kind = .number(number)
        case .integer(let integer): kind = .integer(integer)
        case .text(let text): kind = .text(text)
        case .flag(let flag): kind = .flag(flag)
        case .array(let array): kind = .tensor(Gym_V1_Tensor(array))
        case .list(let values): kind = .list(.with { $0.values = values.map(Gym_V1_Value.init) })
        case .map(let entries): kind = .map(.with { $0.entries = entries.wire })
        }
    }

    /// The value this wire message holds.
    public func value() throws -> Value {
        switch kind {
        case .number(let number): return .number(number)
        case .integer(let integer): return .integer(integer)
        case .text(let text): return .text(text)
        case .flag(let flag): return .flag(flag)
        case .tensor(let tensor): return .array(try tensor.ndarray())
        case .list(let list): return .list(try list.values.map { try $0.value() })
        case .map(let map): return .map(try map.entries.valueMap())
        case nil: throw GymError(.malformed, "value with no kind set")
        }
    }
}

extension Dictionary where Key == String, Value == GymCore.Value {
    /// The wire form of a value map.
    public var wire: [String: Gym_V1_Value] { mapValues(Gym_V1_Value.init) }
}

extension Dictionary where Key == String, Value == Gym_V1_Value {
    /// The value map this wire map holds.
    public func valueMap() throws -> ValueMap { try mapValues { try $0.value() } }
}
