import CGymPlugin
import Foundation
import GymCore

/// Turns Swift environments into a C plugin table, so a Swift plugin is its `Environment`
/// types plus one line:
///
/// ```swift
/// @_cdecl("gym_plugin_entry")
/// public func gymPluginEntry() -> UnsafeRawPointer { PluginExport.table(name: "Flyer", specs: FlyerEnvironments.specs) }
/// ```
///
/// A plugin whose environments return reset or step info adds a second line, so the info
/// travels to clients (see `gym_plugin_info_entry` in gym_plugin.h):
///
/// ```swift
/// @_cdecl("gym_plugin_info_entry")
/// public func gymPluginInfoEntry() -> UnsafeRawPointer { PluginExport.infoTable() }
/// ```
public enum PluginExport {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var exported: (table: UnsafeMutablePointer<gym_plugin>, specs: [EnvSpec])?

    /// The plugin table for `specs`, built once; later calls return the same table.
    public static func table(name: String, specs: [EnvSpec]) -> UnsafeRawPointer {
        lock.lock()
        defer { lock.unlock() }
        if let exported { return UnsafeRawPointer(exported.table) }
        let table = UnsafeMutablePointer<gym_plugin>.allocate(capacity: 1)
        let infos = UnsafeMutablePointer<gym_env_info>.allocate(capacity: max(1, specs.count))
        for (index, spec) in specs.enumerated() { infos[index] = info(spec) }
        table.initialize(to: gym_plugin(
            abi_version: GYM_PLUGIN_ABI_VERSION, name: permanent(name), env_count: Int32(specs.count), envs: infos,
            create: create, reset: reset, step: step, render: render, destroy: destroy))
        exported = (table, specs)
        return UnsafeRawPointer(table)
    }

    /// The info table: reset and step that also write the environments' info values.
    public static func infoTable() -> UnsafeRawPointer { UnsafeRawPointer(exportedInfoTable) }

    // Written once before first use (a lazy static is initialised exactly once) and never after.
    nonisolated(unsafe) private static let exportedInfoTable: UnsafeMutablePointer<gym_plugin_info> = {
        let table = UnsafeMutablePointer<gym_plugin_info>.allocate(capacity: 1)
        table.initialize(to: gym_plugin_info(info_version: GYM_PLUGIN_INFO_VERSION, reset: resetWithInfo, step: stepWithInfo))
        return table
    }()

    /// The spec a table index names.
    fileprivate static func spec(_ index: Int32) -> EnvSpec? {
        lock.lock()
        defer { lock.unlock() }
        guard let specs = exported?.specs, specs.indices.contains(Int(index)) else { return nil }
        return specs[Int(index)]
    }

    // The table lives as long as the library: these allocations are never freed.
    private static func permanent(_ text: String) -> UnsafePointer<CChar> {
        guard let copy = strdup(text) else { fatalError("out of memory building a plugin table") }
        return UnsafePointer(copy)
    }

    private static func permanent<T>(_ values: [T]) -> UnsafePointer<T>? {
        guard !values.isEmpty else { return nil }
        let pointer = UnsafeMutablePointer<T>.allocate(capacity: values.count)
        pointer.initialize(from: values, count: values.count)
        return UnsafePointer(pointer)
    }

    private static func info(_ spec: EnvSpec) -> gym_env_info {
        let kwargs = spec.kwargs.sorted { $0.key < $1.key }.compactMap { name, value -> gym_value? in
            var entry = gym_value()
            entry.name = permanent(name)
            switch value {
            case .number(let number): entry.kind = Int32(GYM_VALUE_NUMBER); entry.number = number
            case .integer(let integer): entry.kind = Int32(GYM_VALUE_INTEGER); entry.integer = integer
            case .text(let text): entry.kind = Int32(GYM_VALUE_TEXT); entry.text = permanent(text)
            case .flag(let flag): entry.kind = Int32(GYM_VALUE_FLAG); entry.flag = flag ? 1 : 0
            case .array, .list, .map: return nil
            }
            return entry
        }
        return gym_env_info(
            id: permanent(spec.id), description: permanent(spec.description),
            observation_space: space(spec.observationSpace), action_space: space(spec.actionSpace),
            max_episode_steps: Int32(spec.maxEpisodeSteps ?? 0),
            has_reward_threshold: spec.rewardThreshold == nil ? 0 : 1, reward_threshold: spec.rewardThreshold ?? 0,
            render_width: Int32(spec.renderSize?.width ?? 0), render_height: Int32(spec.renderSize?.height ?? 0),
            kwarg_count: Int32(kwargs.count), kwargs: permanent(kwargs))
    }

    private static func space(_ space: Space) -> gym_space {
        var c = gym_space()
        let shape = space.shape.map(Int64.init)
        c.ndim = Int32(shape.count)
        c.shape = permanent(shape)
        switch space {
        case .discrete(let n, let start):
            c.kind = Int32(GYM_SPACE_DISCRETE); c.n = n; c.start = start; c.ndim = 0; c.shape = nil
        case .box(let low, let high, _, let dtype):
            c.kind = Int32(GYM_SPACE_BOX); c.dtype = CValues.raw(dtype); c.low = permanent(low); c.high = permanent(high)
        case .multiDiscrete(let nvec, let start):
            c.kind = Int32(GYM_SPACE_MULTI_DISCRETE); c.nvec = permanent(nvec); c.starts = permanent(start)
        case .multiBinary:
            c.kind = Int32(GYM_SPACE_MULTI_BINARY)
        case .dict, .tuple:
            // Not expressible in ABI version 1: the loader rejects kind 0.
            c.kind = 0
        }
        return c
    }
}

/// One exported instance: the environment, its buffer sizes, and the C names of its info keys.
private final class ExportedInstance {
    let environment: Environment
    let observationBytes: Int
    let actionBytes: Int
    /// Info keys as C strings, kept so they outlive the call that returns them; an environment
    /// has a fixed handful, and the cache is emptied should one ever invent keys without end.
    private var names: [String: UnsafeMutablePointer<CChar>] = [:]
    private static let maxCachedNames = 1_024

    /// A `FixedStepInfo` environment, its keys' C names and kinds, and the buffer its step
    /// writes the values into: that step builds no map.
    private let fixed: (environment: any FixedStepInfo, keys: [(name: UnsafeMutablePointer<CChar>, isInteger: Bool)],
                        values: UnsafeMutablePointer<Double>)?

    init(_ environment: Environment, spec: EnvSpec) {
        self.environment = environment
        observationBytes = spec.observationSpace.byteCount
        actionBytes = spec.actionSpace.byteCount
        if let fixedInfo = environment as? any FixedStepInfo {
            let keys = fixedInfo.stepInfoKeys
            let values = UnsafeMutablePointer<Double>.allocate(capacity: max(1, keys.count))
            values.initialize(repeating: 0, count: max(1, keys.count))
            fixed = (fixedInfo, keys.map { (Self.copy($0.name), $0.isInteger) }, values)
        } else {
            fixed = nil
        }
    }

    deinit {
        for name in names.values { free(name) }
        if let fixed {
            for key in fixed.keys { free(key.name) }
            fixed.values.deallocate()
        }
    }

    /// Steps the environment; its info goes into the caller's array.
    func step(action: UnsafeRawBufferPointer, observation: UnsafeMutableRawBufferPointer,
              to values: UnsafeMutablePointer<gym_value>?, capacity: Int32, count: UnsafeMutablePointer<Int32>?) throws -> StepResult {
        guard let fixed else {
            let result = try environment.step(action: action, observation: observation)
            try write(result.info, to: values, capacity: capacity, count: count)
            return result
        }
        count?.pointee = 0
        let result = try fixed.environment.step(action: action, observation: observation,
                                                info: UnsafeMutableBufferPointer(start: fixed.values, count: fixed.keys.count))
        guard !fixed.keys.isEmpty else { return result }
        guard let values, Int(capacity) >= fixed.keys.count else {
            throw GymError(.internalError, "\(fixed.keys.count) info values do not fit the caller's \(capacity)")
        }
        for (index, key) in fixed.keys.enumerated() {
            var entry = gym_value()
            let value = fixed.values[index]
            if key.isInteger {
                entry.kind = Int32(GYM_VALUE_INTEGER)
                entry.integer = Int64(exactly: value) ?? 0
            } else {
                entry.kind = Int32(GYM_VALUE_NUMBER)
                entry.number = value
            }
            entry.name = UnsafePointer(key.name)
            values[index] = entry
        }
        count?.pointee = Int32(fixed.keys.count)
        return result
    }

    /// Writes the numeric, integer and flag values of `info` (in no particular order) into the caller's
    /// array; more than `capacity` of them is an error rather than a silent cut.
    func write(_ info: ValueMap, to values: UnsafeMutablePointer<gym_value>?, capacity: Int32, count: UnsafeMutablePointer<Int32>?) throws {
        count?.pointee = 0
        guard !info.isEmpty else { return }
        if names.count > Self.maxCachedNames {
            for name in names.values { free(name) }
            names.removeAll()
        }
        var written: Int32 = 0
        for (key, value) in info {
            var entry = gym_value()
            switch value {
            case .number(let number): entry.kind = Int32(GYM_VALUE_NUMBER); entry.number = number
            case .integer(let integer): entry.kind = Int32(GYM_VALUE_INTEGER); entry.integer = integer
            case .flag(let flag): entry.kind = Int32(GYM_VALUE_FLAG); entry.flag = flag ? 1 : 0
            case .text, .array, .list, .map: continue
            }
            guard let values, written < capacity else {
                throw GymError(.internalError, "\(info.count) info values do not fit the caller's \(capacity)")
            }
            entry.name = UnsafePointer(name(key))
            values[Int(written)] = entry
            written += 1
        }
        count?.pointee = written
    }

    private func name(_ key: String) -> UnsafeMutablePointer<CChar> {
        if let cached = names[key] { return cached }
        let copy = Self.copy(key)
        names[key] = copy
        return copy
    }

    /// A C copy of an info key, cut to the ABI's longest name.
    private static func copy(_ key: String) -> UnsafeMutablePointer<CChar> {
        guard let copy = strdup(String(key.utf8.prefix(Int(GYM_PLUGIN_MAX_NAME_BYTES))) ?? "") else {
            fatalError("out of memory copying an info key")
        }
        return copy
    }
}

private func instance(_ pointer: UnsafeMutableRawPointer?) -> ExportedInstance? {
    pointer.map { Unmanaged<ExportedInstance>.fromOpaque($0).takeUnretainedValue() }
}

private let create: @convention(c) (Int32, UnsafePointer<gym_value>?, Int32, UnsafeMutablePointer<CChar>?, Int) -> UnsafeMutableRawPointer? = {
    index, kwargs, count, message, capacity in
    guard let spec = PluginExport.spec(index) else {
        CValues.write("no environment at index \(index)", to: message, capacity: capacity)
        return nil
    }
    do {
        let environment = try spec.make(CValues.valueMap(kwargs, count: count))
        return Unmanaged.passRetained(ExportedInstance(environment, spec: spec)).toOpaque()
    } catch {
        CValues.write("\(error)", to: message, capacity: capacity)
        return nil
    }
}

private let reset: @convention(c) (UnsafeMutableRawPointer?, Int32, UInt64, UnsafePointer<gym_value>?, Int32, UnsafeMutableRawPointer?, UnsafeMutablePointer<CChar>?, Int) -> Int32 = {
    pointer, hasSeed, seed, options, count, observation, message, capacity in
    guard let instance = instance(pointer), let observation else {
        CValues.write("NULL environment or observation buffer", to: message, capacity: capacity)
        return 1
    }
    do {
        _ = try instance.environment.reset(
            seed: hasSeed != 0 ? seed : nil, options: CValues.valueMap(options, count: count),
            observation: UnsafeMutableRawBufferPointer(start: observation, count: instance.observationBytes))
        return 0
    } catch {
        return report(error, to: message, capacity: capacity)
    }
}

private let step: @convention(c) (UnsafeMutableRawPointer?, UnsafeRawPointer?, UnsafeMutableRawPointer?, UnsafeMutablePointer<Double>?, UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<CChar>?, Int) -> Int32 = {
    pointer, action, observation, reward, terminated, message, capacity in
    guard let instance = instance(pointer), let action, let observation else {
        CValues.write("NULL environment, action or observation buffer", to: message, capacity: capacity)
        return 1
    }
    do {
        let result = try instance.environment.step(
            action: UnsafeRawBufferPointer(start: action, count: instance.actionBytes),
            observation: UnsafeMutableRawBufferPointer(start: observation, count: instance.observationBytes))
        reward?.pointee = result.reward
        terminated?.pointee = result.terminated ? 1 : 0
        return 0
    } catch {
        return report(error, to: message, capacity: capacity)
    }
}

private let resetWithInfo: @convention(c) (UnsafeMutableRawPointer?, Int32, UInt64, UnsafePointer<gym_value>?, Int32, UnsafeMutableRawPointer?, UnsafeMutablePointer<gym_value>?, Int32, UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<CChar>?, Int) -> Int32 = {
    pointer, hasSeed, seed, options, count, observation, info, infoCapacity, infoCount, message, capacity in
    infoCount?.pointee = 0
    guard let instance = instance(pointer), let observation else {
        CValues.write("NULL environment or observation buffer", to: message, capacity: capacity)
        return 1
    }
    do {
        let values = try instance.environment.reset(
            seed: hasSeed != 0 ? seed : nil, options: CValues.valueMap(options, count: count),
            observation: UnsafeMutableRawBufferPointer(start: observation, count: instance.observationBytes))
        try instance.write(values, to: info, capacity: infoCapacity, count: infoCount)
        return 0
    } catch {
        return report(error, to: message, capacity: capacity)
    }
}

private let stepWithInfo: @convention(c) (UnsafeMutableRawPointer?, UnsafeRawPointer?, UnsafeMutableRawPointer?, UnsafeMutablePointer<Double>?, UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<gym_value>?, Int32, UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<CChar>?, Int) -> Int32 = {
    pointer, action, observation, reward, terminated, info, infoCapacity, infoCount, message, capacity in
    infoCount?.pointee = 0
    guard let instance = instance(pointer), let action, let observation else {
        CValues.write("NULL environment, action or observation buffer", to: message, capacity: capacity)
        return 1
    }
    do {
        let result = try instance.step(
            action: UnsafeRawBufferPointer(start: action, count: instance.actionBytes),
            observation: UnsafeMutableRawBufferPointer(start: observation, count: instance.observationBytes),
            to: info, capacity: infoCapacity, count: infoCount)
        reward?.pointee = result.reward
        terminated?.pointee = result.terminated ? 1 : 0
        return 0
    } catch {
        return report(error, to: message, capacity: capacity)
    }
}

private let render: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<UInt8>?, Int, UnsafeMutablePointer<CChar>?, Int) -> Int32 = {
    pointer, pixels, size, message, capacity in
    guard let instance = instance(pointer), let pixels else {
        CValues.write("NULL environment or pixel buffer", to: message, capacity: capacity)
        return 1
    }
    do {
        let frame = try instance.environment.render()
        guard frame.pixels.count <= size else {
            CValues.write("frame of \(frame.pixels.count) bytes does not fit \(size)", to: message, capacity: capacity)
            return 1
        }
        frame.pixels.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { pixels.update(from: base, count: source.count) }
        }
        return 0
    } catch {
        return report(error, to: message, capacity: capacity)
    }
}

private let destroy: @convention(c) (UnsafeMutableRawPointer?) -> Void = { pointer in
    if let pointer { Unmanaged<ExportedInstance>.fromOpaque(pointer).release() }
}

/// Writes a thrown error for the daemon and returns its status: a `GymError` keeps its message,
/// and an invalid argument stays the caller's mistake rather than the plugin's failure.
private func report(_ error: any Error, to message: UnsafeMutablePointer<CChar>?, capacity: Int) -> Int32 {
    guard let error = error as? GymError else {
        CValues.write("\(error)", to: message, capacity: capacity)
        return GYM_STATUS_FAILED
    }
    CValues.write(error.message, to: message, capacity: capacity)
    switch error.code {
    case .invalidArgument: return GYM_STATUS_INVALID_ARGUMENT
    case .notSupported: return GYM_STATUS_NOT_SUPPORTED
    case .quotaExceeded: return GYM_STATUS_QUOTA_EXCEEDED
    default: return GYM_STATUS_FAILED
    }
}
