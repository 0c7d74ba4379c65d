import CGymPlugin
import Foundation
import GymCore
import Logging

/// Loads environment plugins: shared libraries exporting `gym_plugin_entry` (see gym_plugin.h).
public enum PluginLoader {
    /// A plugin that loaded, with the environments it registers.
    public struct Plugin: Sendable {
        /// The library file.
        public let path: String
        /// The name the plugin gives itself.
        public let name: String
        /// Its environments, ready to register.
        public let specs: [EnvSpec]
        /// Environments it declared that could not be used, with the reason.
        public let skipped: [(id: String, reason: String)]
    }

    private typealias Entry = @convention(c) () -> UnsafePointer<gym_plugin>?
    private typealias InfoEntry = @convention(c) () -> UnsafePointer<gym_plugin_info>?

    /// The file names a directory's plugins have on this platform.
    public static var libraryExtension: String {
        #if os(macOS)
        return "dylib"
        #else
        return "so"
        #endif
    }

    /// Loads one library; throws when it is not a library, lacks the entry symbol, or speaks another ABI version.
    public static func load(path: String) throws -> Plugin {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown error"
            throw GymError(.invalidArgument, "not a loadable library: \(reason)")
        }
        // Libraries stay loaded for the process's lifetime: their environments may be in use anywhere.
        guard let symbol = dlsym(handle, GYM_PLUGIN_ENTRY_SYMBOL) else {
            throw GymError(.invalidArgument, "no \(GYM_PLUGIN_ENTRY_SYMBOL) symbol: not a gym plugin")
        }
        let entry = unsafeBitCast(symbol, to: Entry.self)
        guard let table = entry() else { throw GymError(.invalidArgument, "\(GYM_PLUGIN_ENTRY_SYMBOL) returned NULL") }
        let plugin = table.pointee
        guard plugin.abi_version == GYM_PLUGIN_ABI_VERSION else {
            throw GymError(.unsupportedVersion, "plugin ABI version \(plugin.abi_version), this daemon loads version \(GYM_PLUGIN_ABI_VERSION)")
        }
        let name = CValues.string(plugin.name) ?? URL(fileURLWithPath: path).lastPathComponent
        guard plugin.create != nil, plugin.reset != nil, plugin.step != nil, plugin.destroy != nil else {
            throw GymError(.invalidArgument, "plugin \(name) lacks one of create, reset, step, destroy")
        }
        guard plugin.env_count >= 0, plugin.env_count == 0 || plugin.envs != nil else {
            throw GymError(.invalidArgument, "plugin \(name) has an invalid environment table")
        }
        let infoTable = try infoTable(handle, pluginName: name)
        var specs: [EnvSpec] = []
        var skipped: [(String, String)] = []
        for index in 0..<Int(plugin.env_count) {
            let info = plugin.envs[index]
            let id = CValues.string(info.id) ?? "#\(index)"
            do {
                specs.append(try spec(info, index: Int32(index), table: table, infoTable: infoTable, pluginName: name))
            } catch {
                skipped.append((id, "\(error)"))
            }
        }
        return Plugin(path: path, name: name, specs: specs, skipped: skipped)
    }

    /// The optional info table: nil when the plugin does not export one (ABI version 1 as
    /// first written); an error when it exports one this daemon cannot use.
    private static func infoTable(_ handle: UnsafeMutableRawPointer, pluginName: String) throws -> UnsafePointer<gym_plugin_info>? {
        guard let symbol = dlsym(handle, GYM_PLUGIN_INFO_SYMBOL) else { return nil }
        guard let table = unsafeBitCast(symbol, to: InfoEntry.self)() else {
            throw GymError(.invalidArgument, "plugin \(pluginName): \(GYM_PLUGIN_INFO_SYMBOL) returned NULL")
        }
        guard table.pointee.info_version == GYM_PLUGIN_INFO_VERSION else {
            throw GymError(.unsupportedVersion, "plugin \(pluginName) has info table version \(table.pointee.info_version), this daemon reads version \(GYM_PLUGIN_INFO_VERSION)")
        }
        guard table.pointee.reset != nil, table.pointee.step != nil else {
            throw GymError(.invalidArgument, "plugin \(pluginName)'s info table lacks reset or step")
        }
        return table
    }

    private static func spec(_ info: gym_env_info, index: Int32, table: UnsafePointer<gym_plugin>,
                             infoTable: UnsafePointer<gym_plugin_info>?, pluginName: String) throws -> EnvSpec {
        guard let id = CValues.string(info.id), !id.isEmpty else { throw GymError(.invalidArgument, "an environment has no id") }
        let observation = try CValues.space(info.observation_space)
        let action = try CValues.space(info.action_space)
        for space in [observation, action] {
            if let problem = space.validationProblem { throw GymError(.invalidArgument, problem) }
        }
        let renderSize = info.render_width > 0 && info.render_height > 0 ? (Int(info.render_width), Int(info.render_height)) : nil
        let kwargs = CValues.valueMap(info.kwargs, count: info.kwarg_count)
        let spec = EnvSpec(
            id: id, observationSpace: observation, actionSpace: action,
            maxEpisodeSteps: info.max_episode_steps > 0 ? Int(info.max_episode_steps) : nil,
            rewardThreshold: info.has_reward_threshold != 0 ? info.reward_threshold : nil,
            kwargs: kwargs, renderSize: renderSize, description: CValues.string(info.description) ?? ""
        ) { [table = PluginTable(pointer: table), infoTable = infoTable.map(PluginInfoTable.init)] kwargs in
            try PluginEnvironment(table: table.pointer, infoTable: infoTable?.pointer, index: index, kwargs: kwargs,
                                  renderSize: renderSize, pluginName: pluginName)
        }
        // A create that fails with the defaults makes the environment unusable: find out now, not at a client's make.
        _ = try spec.make()
        return spec
    }

    /// Loads every plugin library in `directory`, logging what loaded and skipping what did not.
    public static func loadDirectory(_ directory: String, logger: Logger) -> [Plugin] {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            logger.warning("plugin directory \(directory) cannot be read: \(error.localizedDescription)")
            return []
        }
        return files.filter { $0.hasSuffix(".\(libraryExtension)") }.sorted().compactMap { file in
            let path = (directory as NSString).appendingPathComponent(file)
            do {
                let plugin = try load(path: path)
                for (id, reason) in plugin.skipped {
                    logger.warning("plugin \(plugin.name) (\(path)): skipping \(id): \(reason)")
                }
                logger.info("loaded plugin \(plugin.name) from \(path): \(plugin.specs.map(\.id).joined(separator: ", "))")
                return plugin
            } catch {
                logger.warning("skipping plugin \(path): \(error)")
                return nil
            }
        }
    }

    /// A registry of every environment in the plugins of `directories`; the first plugin to
    /// register an id keeps it, later ones are logged and skipped.
    public static func registry(directories: [String], logger: Logger) -> EnvRegistry {
        var registry = EnvRegistry()
        for directory in directories {
            for plugin in loadDirectory(directory, logger: logger) {
                for spec in plugin.specs {
                    if registry.spec(spec.id) != nil {
                        logger.warning("plugin \(plugin.name): \(spec.id) is already registered; keeping the first")
                        continue
                    }
                    do { try registry.register(spec) } catch { logger.warning("plugin \(plugin.name): \(spec.id): \(error)") }
                }
            }
        }
        return registry
    }

    /// The directory holding the running executable, where shipped plugins live.
    public static var executableDirectory: String {
        let path = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: path).deletingLastPathComponent().path
    }
}
