import Foundation
import GymPlugin
import GymCore
import MuJoCo

/// The plugin's one exported symbol: Gymnasium's MuJoCo environments. Without their assets the
/// plugin registers nothing and says why on stderr, once; so it does when it cannot draw frames.
@_cdecl("gym_plugin_entry")
public func gymPluginEntry() -> UnsafeRawPointer {
    let specs: [EnvSpec]
    do {
        specs = try MuJoCoEnvironments.specs()
    } catch {
        FileHandle.standardError.write(Data("MuJoCo plugin: registering no environments: \(error)\n".utf8))
        specs = []
    }
    if !specs.isEmpty, let reason = MuJoCoEnvironments.renderingUnavailableReason {
        FileHandle.standardError.write(Data("MuJoCo plugin: render answers NOT_SUPPORTED: \(reason)\n".utf8))
    }
    return PluginExport.table(name: "MuJoCo", specs: specs)
}

/// The optional second symbol: the environments' reset and step info (`x_position`, `reward_ctrl`, …).
@_cdecl("gym_plugin_info_entry")
public func gymPluginInfoEntry() -> UnsafeRawPointer {
    PluginExport.infoTable()
}
