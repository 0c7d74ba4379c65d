import CGymPlugin
import GymCore

/// An environment instance living in a plugin library, driven through its C function table.
final class PluginEnvironment: Environment {
    private let table: UnsafePointer<gym_plugin>
    /// The plugin's info functions, when it exports them.
    private let infoTable: UnsafePointer<gym_plugin_info>?
    /// Room for the info values of one call, allocated once.
    private var info = [gym_value](repeating: gym_value(), count: Int(GYM_PLUGIN_MAX_INFO_VALUES))
    private let instance: UnsafeMutableRawPointer
    private let renderSize: (width: Int, height: Int)?
    private let pluginName: String
    private var error = [CChar](repeating: 0, count: 512)

    init(table: UnsafePointer<gym_plugin>, infoTable: UnsafePointer<gym_plugin_info>? = nil, index: Int32, kwargs: ValueMap, renderSize: (width: Int, height: Int)?, pluginName: String) throws {
        self.table = table
        self.infoTable = infoTable
        self.renderSize = renderSize
        self.pluginName = pluginName
        guard let create = table.pointee.create else { throw GymError(.internalError, "plugin \(pluginName) has no create function") }
        let values = CValueArray(kwargs)
        var message = [CChar](repeating: 0, count: 512)
        let made = values.values.withUnsafeBufferPointer { kwargs in
            create(index, kwargs.baseAddress, Int32(kwargs.count), &message, message.count)
        }
        guard let made else {
            throw GymError(.invalidArgument, "plugin \(pluginName) could not create the environment: \(CValues.text(message))")
        }
        instance = made
    }

    deinit { table.pointee.destroy?(instance) }

    /// The error a nonzero status stands for: the caller's mistake, something the environment
    /// cannot do here or holds too much of, or the plugin's own failure.
    private func failure(_ what: String, status: Int32) -> GymError {
        switch status {
        case GYM_STATUS_INVALID_ARGUMENT: return GymError(.invalidArgument, CValues.text(error))
        case GYM_STATUS_NOT_SUPPORTED: return GymError(.notSupported, CValues.text(error))
        case GYM_STATUS_QUOTA_EXCEEDED: return GymError(.quotaExceeded, CValues.text(error))
        default: return GymError(.internalError, "plugin \(pluginName) \(what) failed: \(CValues.text(error))")
        }
    }

    func reset(seed: UInt64?, options: ValueMap, observation: UnsafeMutableRawBufferPointer) throws -> ValueMap {
        let values = CValueArray(options)
        if let reset = infoTable?.pointee.reset {
            var count: Int32 = 0
            let status = values.values.withUnsafeBufferPointer { options in
                reset(instance, seed == nil ? 0 : 1, seed ?? 0, options.baseAddress, Int32(options.count),
                      observation.baseAddress, &info, Int32(info.count), &count, &error, error.count)
            }
            if status != 0 { throw failure("reset", status: status) }
            return try CValues.infoMap(info, count: count, capacity: info.count)
        }
        guard let reset = table.pointee.reset else { throw GymError(.internalError, "plugin \(pluginName) has no reset function") }
        let status = values.values.withUnsafeBufferPointer { options in
            reset(instance, seed == nil ? 0 : 1, seed ?? 0, options.baseAddress, Int32(options.count),
                  observation.baseAddress, &error, error.count)
        }
        if status != 0 { throw failure("reset", status: status) }
        return [:]
    }

    func step(action: UnsafeRawBufferPointer, observation: UnsafeMutableRawBufferPointer) throws -> StepResult {
        var reward = 0.0
        var terminated: Int32 = 0
        if let step = infoTable?.pointee.step {
            var count: Int32 = 0
            let status = step(instance, action.baseAddress, observation.baseAddress, &reward, &terminated,
                              &info, Int32(info.count), &count, &error, error.count)
            if status != 0 { throw failure("step", status: status) }
            // Most steps of most environments carry no info: skip building an empty map.
            let values = count == 0 ? [:] : try CValues.infoMap(info, count: count, capacity: info.count)
            return StepResult(reward: reward, terminated: terminated != 0, info: values)
        }
        guard let step = table.pointee.step else { throw GymError(.internalError, "plugin \(pluginName) has no step function") }
        let status = step(instance, action.baseAddress, observation.baseAddress, &reward, &terminated, &error, error.count)
        if status != 0 { throw failure("step", status: status) }
        return StepResult(reward: reward, terminated: terminated != 0)
    }

    func render() throws -> RGBFrame {
        guard let size = renderSize, let render = table.pointee.render else {
            throw GymError(.notSupported, "this environment of plugin \(pluginName) cannot render")
        }
        var frame = RGBFrame(width: size.width, height: size.height)
        let status = frame.pixels.withUnsafeMutableBufferPointer { pixels in
            render(instance, pixels.baseAddress, pixels.count, &error, error.count)
        }
        if status != 0 { throw failure("render", status: status) }
        return frame
    }
}
