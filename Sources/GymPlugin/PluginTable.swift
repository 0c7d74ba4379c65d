import CGymPlugin
import Foundation
import GymCore
import Logging

/// A plugin's function table: immutable and valid while the library stays loaded (for good),
/// so it may be shared across threads.
struct PluginTable: @unchecked Sendable {
    let pointer: UnsafePointer<gym_plugin>
}

/// A plugin's optional info table (`gym_plugin_info_entry`), likewise immutable and permanent.
struct PluginInfoTable: @unchecked Sendable {
    let pointer: UnsafePointer<gym_plugin_info>
}
