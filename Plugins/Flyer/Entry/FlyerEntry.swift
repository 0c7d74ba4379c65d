import Flyer
import GymPlugin

/// The plugin's one exported symbol: the gravity flyer.
@_cdecl("gym_plugin_entry")
public func gymPluginEntry() -> UnsafeRawPointer {
    PluginExport.table(name: "Flyer", specs: FlyerEnvironments.specs)
}
