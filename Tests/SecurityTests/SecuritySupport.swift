import ClassicControl
import Foundation
import GymCore
import GymServer
import Logging
import ZeroMQ

/// Logs in these tests only show errors.
let quietLogger: Logger = {
    var logger = Logger(label: "gym.security.test") { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = .error
    return logger
}()

/// A server's and two clients' keys, the first client allowed.
struct Keys {
    let server = try! CurveKeyPair.generate()
    let client = try! CurveKeyPair.generate()
    let rogue = try! CurveKeyPair.generate()

    var serverSettings: CurveSettings {
        var settings = CurveSettings()
        settings.keys = server
        settings.allowed = [client.publicKey]
        return settings
    }

    func clientSettings(_ pair: CurveKeyPair?, serverKey: CurveKey? = nil) -> CurveSettings {
        var settings = CurveSettings()
        settings.keys = pair
        settings.serverKey = pair == nil ? nil : (serverKey ?? server.publicKey)
        return settings
    }
}

func classicRegistry() throws -> EnvRegistry {
    var registry = EnvRegistry()
    try ClassicControl.register(into: &registry)
    return registry
}

/// A daemon on tcp loopback in a context of its own (so its ZAP handler's allowlist is its own).
func startDaemon(security: CurveSettings?, events: Bool = false, context: Context) throws -> Daemon {
    var configuration = DaemonConfiguration(bind: "tcp://127.0.0.1:*", workers: 1, registry: try classicRegistry())
    configuration.security = security ?? CurveSettings()
    if events { configuration.events = "tcp://127.0.0.1:*" }
    let daemon = try Daemon(configuration: configuration, context: context, logger: quietLogger)
    try daemon.start()
    return daemon
}

/// The port of a `tcp://HOST:PORT` endpoint.
func port(of endpoint: String) -> Int { Int(endpoint.split(separator: ":").last ?? "") ?? 0 }
