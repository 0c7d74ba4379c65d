import CGymPlugin
import Foundation
import GymCore
import Logging

/// A plugin's function table: immutable and valid while the library stays loaded (for good),
/// so it may be shared across threads.
struct PluginTable: @unchecked Sendable {
    let pointer: UnsafePointer<gym_plugin>
}
