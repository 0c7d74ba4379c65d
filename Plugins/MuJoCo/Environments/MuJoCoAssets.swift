import CMuJoCo
import Foundation
import GymCore

/// Where Gymnasium's MuJoCo XML assets are found at run time; they are read from the installed
/// `gymnasium` package, never shipped with the plugin.
///
/// Search order: the directory in `GYM_MUJOCO_ASSETS`, then the `gymnasium/envs/mujoco/assets`
/// directory beside the `mujoco` wheel the plugin was built against.
public enum MuJoCoAssets {
    /// The environment variable that overrides the asset directory.
    public static let environmentVariable = "GYM_MUJOCO_ASSETS"

    /// The directories searched, in order.
    public static var searchPath: [String] {
        var directories: [String] = []
        if let override = ProcessInfo.processInfo.environment[environmentVariable], !override.isEmpty {
            directories.append(override)
        }
        let built = String(cString: gym_mujoco_build_assets())
        if !built.isEmpty { directories.append(built) }
        return directories
    }

    /// The full path of asset `file`; an error naming every directory tried when none has it.
    public static func path(of file: String) throws -> String {
        let directories = searchPath
        for directory in directories {
            let candidate = (directory as NSString).appendingPathComponent(file)
            if FileManager.default.isReadableFile(atPath: candidate) { return candidate }
        }
        let tried = directories.isEmpty ? "no directory" : directories.joined(separator: ", ")
        throw GymError(.internalError, "Gymnasium's MuJoCo asset \(file) is not in \(tried); install gymnasium[mujoco]==1.4.0 (scripts/install-python-deps) or set \(environmentVariable)")
    }
}
