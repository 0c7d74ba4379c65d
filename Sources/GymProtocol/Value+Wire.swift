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

    /// The value this wire message holds, checked: nesting at most `WireLimits.maxValueDepth`,
    /// texts and keys within their limits, tensors within `TensorLimits.value`.
    public func value() throws -> Value { try value(depth: 1) }

    func value(depth: Int) throws -> Value {
        guard depth <= WireLimits.maxValueDepth else {
            throw GymError(.malformed, "value nested deeper than \(WireLimits.maxValueDepth) levels")
        }
        switch kind {
        case .number(let number): return .number(number)
        case .integer(let integer): return .integer(integer)
        case .text(let text):
            guard text.utf8.count <= WireLimits.maxTextBytes else {
                throw GymError(.malformed, "text value of \(text.utf8.count) bytes, more than \(WireLimits.maxTextBytes)")
            }
            return .text(text)
        case .flag(let flag): return .flag(flag)
        case .tensor(let tensor): return .array(try tensor.ndarray(limits: .value, what: "tensor value"))
        case .list(let list): return .list(try list.values.map { try $0.value(depth: depth + 1) })
        case .map(let map): return .map(try map.entries.valueMap(depth: depth + 1))
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
    public func valueMap() throws -> ValueMap { try valueMap(depth: 1) }

    func valueMap(depth: Int) throws -> ValueMap {
        for key in keys where key.utf8.count > WireLimits.maxKeyBytes {
            throw GymError(.malformed, "value map key '\(key.clippedForEcho())' is longer than \(WireLimits.maxKeyBytes) bytes")
        }
        return try mapValues { try $0.value(depth: depth) }
    }
}
