import ArgumentParser
import GymClient
import GymCore
import GymServer
import GymPlugin
import Logging

/// The environments of the plugins beside this executable and in any extra directories.
enum BuiltinEnvironments {
    static func registry(extraDirectories: [String] = []) -> EnvRegistry {
        let logger = Logger(label: "gym.plugins")
        let directories = [PluginLoader.executableDirectory] + extraDirectories
        let registry = PluginLoader.registry(directories: directories, logger: logger)
        if registry.all.isEmpty {
            logger.error("no environments: no plugin loaded from \(directories.joined(separator: ", "))")
        }
        return registry
    }
}
