/// One key of a `FixedStepInfo` environment's step info.
public struct StepInfoKey: Sendable, Equatable {
    /// The info key.
    public let name: String
    /// Whether the value is an integer (written as a `Double` that holds it exactly).
    public let isInteger: Bool

    /// A real-valued key.
    public static func number(_ name: String) -> StepInfoKey { StepInfoKey(name: name, isInteger: false) }
    /// An integer-valued key.
    public static func integer(_ name: String) -> StepInfoKey { StepInfoKey(name: name, isInteger: true) }
}

/// An environment whose step info is the same few numbers every step (each MuJoCo
/// environment's `x_position`, `reward_ctrl`, …): it writes them into a buffer in the order of
/// `stepInfoKeys` instead of building a `ValueMap`, so the plugin ABI passes them on without a
/// dictionary per step. `step(action:observation:)` comes with it and builds the map from them.
public protocol FixedStepInfo: Environment {
    /// The keys the info values are written for, in order; the same for every step of this instance.
    var stepInfoKeys: [StepInfoKey] { get }

    /// `step`, writing one value per key of `stepInfoKeys` into `info` (sized to them); the
    /// result's own `info` stays empty.
    func step(action: UnsafeRawBufferPointer, observation: UnsafeMutableRawBufferPointer,
              info: UnsafeMutableBufferPointer<Double>) throws -> StepResult
}

extension FixedStepInfo {
    /// The step with its info as a map of `stepInfoKeys` to their values.
    public func step(action: UnsafeRawBufferPointer, observation: UnsafeMutableRawBufferPointer) throws -> StepResult {
        let keys = stepInfoKeys
        return try withUnsafeTemporaryAllocation(of: Double.self, capacity: max(1, keys.count)) { buffer in
            buffer.initialize(repeating: 0)
            var result = try step(action: action, observation: observation, info: UnsafeMutableBufferPointer(rebasing: buffer[0..<keys.count]))
            var info = ValueMap(minimumCapacity: keys.count)
            for (index, key) in keys.enumerated() {
                info[key.name] = key.isInteger ? .integer(Int64(exactly: buffer[index]) ?? 0) : .number(buffer[index])
            }
            result.info = info
            return result
        }
    }
}
