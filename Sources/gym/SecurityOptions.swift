import ArgumentParser
import GymClient
import Logging
import ZeroMQ

/// The CURVE options of every command that opens a socket: its own key, the servers' key, the
/// clients its servers accept, and the escape hatch for plain text beyond loopback.
///
/// Unset options come from `GYM_CURVE_SECRET`, `GYM_SERVER_KEY`, `GYM_ALLOW` and then the
/// per-user config file (`CurveDefaults`). `install` makes them the settings of every socket of
/// the process and hands them to the worker processes it starts.
struct SecurityOptions: ParsableArguments {
    @Option(help: ArgumentHelp("This process's CURVE secret key file (`gym keygen NAME` writes NAME.secret): a server's key, or the key a client presents. Default: $GYM_CURVE_SECRET, then curve-secret in ~/.config/gym/config.", valueName: "file"))
    var curveSecret: String?

    @Option(help: ArgumentHelp("The servers' public key file (NAME.public), for a client with --curve-secret. Default: $GYM_SERVER_KEY, then server-key in the config file, then this process's own public key.", valueName: "file"))
    var serverKey: String?

    @Option(help: ArgumentHelp("Client keys a server with --curve-secret accepts: a directory of *.public files or one public key file (repeatable). Default: $GYM_ALLOW (colon-separated), then allow lines in the config file. The server's own key is always accepted.", valueName: "dir|file"))
    var allow: [String] = []

    @Flag(help: "Let a server without keys bind an address other hosts can reach: its traffic is plain text and anyone who reaches it can use it.")
    var insecure = false

    /// Resolves the options, makes them the process's socket settings and exports them to child
    /// processes; warns when a server will run without keys beyond loopback.
    @discardableResult
    func install(binds: [String] = [], logger: Logger = Logger(label: "gym.auth")) throws -> CurveSettings {
        let sources: CurveDefaults.Sources
        let settings: CurveSettings
        do {
            sources = try CurveDefaults.sources(flags: .init(curveSecret: curveSecret, serverKey: serverKey, allow: allow))
            settings = try CurveDefaults.settings(sources, insecure: insecure, logger: logger)
        } catch let error as CurveError {
            throw ValidationError(error.message)
        }
        CurveSettings.process = settings
        CurveDefaults.export(sources)
        for bind in binds { SecurityReport.note(bind: bind, logger: logger) }
        if let keys = settings.keys {
            logger.info("CURVE on: key \(keys.publicKey.fingerprint), \(settings.allowed.count) allowed client key(s)")
        }
        return settings
    }

}

/// The security warnings of a run, logged when they arise and repeated in `--json` summaries.
enum SecurityReport {
    nonisolated(unsafe) private(set) static var warnings: [String] = []

    /// Warns (once per endpoint) when a server bound to `bind` runs in plain text beyond loopback.
    static func note(bind: String, settings: CurveSettings = .process, logger: Logger = Logger(label: "gym.auth")) {
        guard settings.keys == nil, settings.insecure, !EndpointScope.isLocal(bind) else { return }
        let warning = "--insecure: \(bind) serves plain text without authentication to anyone who can reach it"
        guard !warnings.contains(warning) else { return }
        warnings.append(warning)
        logger.warning("\(warning)")
    }

    /// `security_warnings` for a JSON summary, when there are any.
    static var jsonFields: [(String, JSONText)] {
        warnings.isEmpty ? [] : [("security_warnings", .array(warnings.map(JSONText.string)))]
    }
}
