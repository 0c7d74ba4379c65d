import ClassicControl
import GymPlugin

/// The plugin's one exported symbol: Gymnasium's classic-control environments.
@_cdecl("gym_plugin_entry")
public func gymPluginEntry() -> UnsafeRawPointer {
    PluginExport.table(name: "ClassicControl", specs: ClassicControl.specs)
}
