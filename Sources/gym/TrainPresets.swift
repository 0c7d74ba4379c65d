import Foundation

/// Tuned settings per algorithm and environment, as RL Zoo keeps them: `presets/ALGO/ENV.yaml`
/// (a `TrainConfig` file; `/` in an id is `-` in the file name). `gym train ALGO --env ID` uses the matching one unless `--config` or
/// `--no-preset` is given.
enum TrainPresets {
    /// Where presets are looked for: `$GYM_PRESETS`, else the `presets` folder of the checkout
    /// the executable was built in (found walking up from it), else `./presets`.
    static var directory: URL? {
        let manager = FileManager.default
        func isDirectory(_ url: URL) -> Bool {
            var flag: ObjCBool = false
            return manager.fileExists(atPath: url.path, isDirectory: &flag) && flag.boolValue
        }
        if let named = ProcessInfo.processInfo.environment["GYM_PRESETS"], !named.isEmpty {
            return URL(fileURLWithPath: named, isDirectory: true)
        }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = executable.deletingLastPathComponent()
        for _ in 0..<5 {
            let candidate = folder.appendingPathComponent("presets", isDirectory: true)
            if isDirectory(candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        let local = URL(fileURLWithPath: "presets", isDirectory: true)
        return isDirectory(local) ? local : nil
    }

    /// The preset file for `algo` on `env`, if there is one.
    static func file(algo: String, env: String) -> String? {
        // `ALE/Pong-v5` is `ALE-Pong-v5.yaml`; nothing names a file outside the folder.
        let name = env.replacingOccurrences(of: "/", with: "-")
        guard let directory, !name.isEmpty, !name.hasPrefix("."), !name.contains("\0") else { return nil }
        let file = directory.appendingPathComponent(algo, isDirectory: true).appendingPathComponent("\(name).yaml")
        return FileManager.default.fileExists(atPath: file.path) ? file.path : nil
    }
}
