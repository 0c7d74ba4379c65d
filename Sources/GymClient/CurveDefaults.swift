import Foundation
import Logging
import ZeroMQ

/// Where a process's CURVE settings come from when its command line does not say: the per-user
/// config file, then environment variables, then flags (each later one wins).
///
/// The config file is `${XDG_CONFIG_HOME:-$HOME/.config}/gym/config`, lines `curve-secret = PATH`,
/// `server-key = PATH` and `allow = PATH` (repeatable), `#` comments, relative paths relative to
/// the file. The variables are `GYM_CURVE_SECRET`, `GYM_SERVER_KEY` and `GYM_ALLOW` (a
/// colon-separated list). Python's `gymd` reads the same places.
public enum CurveDefaults {
    /// The paths the settings were read from: what a command hands its child processes.
    public struct Sources: Sendable, Equatable {
        /// This process's secret key file.
        public var curveSecret: String?
        /// The servers' public key file.
        public var serverKey: String?
        /// Allowlist directories or files.
        public var allow: [String] = []

        /// Nothing set.
        public init(curveSecret: String? = nil, serverKey: String? = nil, allow: [String] = []) {
            self.curveSecret = curveSecret
            self.serverKey = serverKey
            self.allow = allow
        }
    }

    /// Largest config file read.
    public static let maxConfigBytes = 64 << 10

    /// The config file's path for `environment`.
    public static func configPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let base = environment["XDG_CONFIG_HOME"], !base.isEmpty { return base + "/gym/config" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.config/gym/config" }
        return nil
    }

    /// The paths in effect: `flags` over the environment over the config file.
    public static func sources(flags: Sources, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Sources {
        var result = try configPath(environment: environment).map(readConfig) ?? Sources()
        func variable(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        if let value = variable("GYM_CURVE_SECRET") { result.curveSecret = value }
        if let value = variable("GYM_SERVER_KEY") { result.serverKey = value }
        if let value = variable("GYM_ALLOW") { result.allow = value.split(separator: ":").map(String.init) }
        if let value = flags.curveSecret { result.curveSecret = value }
        if let value = flags.serverKey { result.serverKey = value }
        if !flags.allow.isEmpty { result.allow = flags.allow }
        return result
    }

    /// Reads the key files `sources` names into settings; endpoint keys a parent process handed
    /// down (`CurveSettings.endpointKeysVariable`) are kept.
    public static func settings(_ sources: Sources, insecure: Bool = false,
                                environment: [String: String] = ProcessInfo.processInfo.environment,
                                logger: Logger? = nil) throws -> CurveSettings {
        var settings = CurveSettings()
        settings.insecure = insecure
        settings.keys = try sources.curveSecret.map { try CurveKeyFile.readSecret($0, logger: logger) }
        settings.serverKey = try sources.serverKey.map(CurveKeyFile.readPublic)
        for path in sources.allow { settings.allowed.formUnion(try CurveKeyFile.readAllowlist(path)) }
        if let inherited = environment[CurveSettings.endpointKeysVariable] {
            settings.endpointKeys = CurveSettings.decodeEndpointKeys(inherited)
        }
        return settings
    }

    /// Puts `sources` (as absolute paths) into this process's environment, so the worker and
    /// actor processes it starts use the same keys.
    public static func export(_ sources: Sources) {
        func absolute(_ path: String) -> String {
            path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        }
        if let path = sources.curveSecret { setenv("GYM_CURVE_SECRET", absolute(path), 1) }
        if let path = sources.serverKey { setenv("GYM_SERVER_KEY", absolute(path), 1) }
        if !sources.allow.isEmpty { setenv("GYM_ALLOW", sources.allow.map(absolute).joined(separator: ":"), 1) }
    }

    /// The settings a config file holds; a missing file holds none.
    public static func readConfig(_ path: String) throws -> Sources {
        guard let handle = FileHandle(forReadingAtPath: path) else { return Sources() }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: maxConfigBytes + 1)) ?? Data()
        guard data.count <= maxConfigBytes else { throw CurveError(.keyFile, "config file \(path) is over \(maxConfigBytes) bytes") }
        let directory = (path as NSString).deletingLastPathComponent
        func resolved(_ value: String) -> String {
            value.hasPrefix("/") ? value : directory + "/" + value
        }
        var sources = Sources()
        for (index, raw) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw CurveError(.keyFile, "\(path) line \(index + 1): expected KEY = PATH")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            guard !value.isEmpty else { throw CurveError(.keyFile, "\(path) line \(index + 1): \(key) has no path") }
            switch key {
            case "curve-secret": sources.curveSecret = resolved(value)
            case "server-key": sources.serverKey = resolved(value)
            case "allow": sources.allow.append(resolved(value))
            default: throw CurveError(.keyFile, "\(path) line \(index + 1): unknown setting \(key.prefix(40)) (known: curve-secret, server-key, allow)")
            }
        }
        return sources
    }
}
