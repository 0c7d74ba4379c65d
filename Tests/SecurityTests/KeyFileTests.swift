import Foundation
import GymClient
import Testing
import ZeroMQ

/// Key files as `gym keygen` writes them and as pyzmq and czmq write them, read as hostile input.
@Suite struct KeyFileTests {
    let directory: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gym-keys-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    private func write(_ name: String, _ text: String) throws -> String {
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aWrittenPairReadsBackWithItsModesAndIsNeverReplacedUnlessForced() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pair = try CurveKeyPair.generate()
        let paths = try CurveKeyFile.write(pair, name: directory + "/server")
        #expect(try CurveKeyFile.readSecret(paths.secret) == pair)
        #expect(try CurveKeyFile.readPublic(paths.public) == pair.publicKey)
        let secretMode = try FileManager.default.attributesOfItem(atPath: paths.secret)[.posixPermissions] as? Int
        let publicMode = try FileManager.default.attributesOfItem(atPath: paths.public)[.posixPermissions] as? Int
        #expect(secretMode == 0o600 && publicMode == 0o644)
        #expect(!(try String(contentsOfFile: paths.public, encoding: .utf8)).contains("secret-key"))
        #expect(throws: CurveError.self) { _ = try CurveKeyFile.write(try CurveKeyPair.generate(), name: directory + "/server") }
        #expect(try CurveKeyFile.readSecret(paths.secret) == pair, "a refused write leaves the old key")
        let replaced = try CurveKeyPair.generate()
        _ = try CurveKeyFile.write(replaced, name: directory + "/server", force: true)
        #expect(try CurveKeyFile.readSecret(paths.secret) == replaced)
        #expect(throws: CurveError.self, "a public file holds no secret") { _ = try CurveKeyFile.readSecret(paths.public) }
    }

    @Test func pyzmqCertificatesAndBareKeysRead() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pair = try CurveKeyPair.generate()
        // As zmq.auth.create_certificates writes them.
        let pyzmq = try write("py.key_secret", """
            #   ****  Generated on 2026-01-01 by pyzmq  ****
            #   ZeroMQ CURVE **Secret** Certificate
            #   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.

            metadata
            curve
                public-key = "\(pair.publicKey.z85)"
                secret-key = "\(pair.secretKey.z85)"
            """)
        #expect(try CurveKeyFile.readSecret(pyzmq) == pair)
        #expect(try CurveKeyFile.readPublic(pyzmq) == pair.publicKey)
        let bare = try write("bare.public", pair.publicKey.z85 + "\n")
        #expect(try CurveKeyFile.readPublic(bare) == pair.publicKey)
        let bareSecret = try write("bare.secret", pair.secretKey.z85)
        #expect(try CurveKeyFile.readSecret(bareSecret) == pair, "the public key is derived")
    }

    @Test func malformedFilesAreRefusedNamingTheFile() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pair = try CurveKeyPair.generate()
        let cases: [(String, String)] = [
            ("short.public", String(pair.publicKey.z85.dropLast())),
            ("bad-char.public", "\"" + pair.publicKey.z85.dropFirst() + "\n"),
            ("quoted-wrong.public", "curve\n    public-key = \"\(pair.publicKey.z85.dropLast())~\"\n"),
            ("empty.public", ""),
            ("two-lines.public", pair.publicKey.z85 + "\n" + pair.publicKey.z85 + "\n"),
            ("huge.public", String(repeating: "#", count: CurveKeyFile.maxBytes + 1)),
            ("mismatch.secret", "curve\n    public-key = \"\(try CurveKeyPair.generate().publicKey.z85)\"\n    secret-key = \"\(pair.secretKey.z85)\"\n"),
        ]
        for (name, text) in cases {
            let path = try write(name, text)
            do {
                if name.hasSuffix(".secret") { _ = try CurveKeyFile.readSecret(path) } else { _ = try CurveKeyFile.readPublic(path) }
                Issue.record("\(name) was read")
            } catch let error as CurveError {
                #expect(error.code == .keyFile && error.message.contains(name), "\(name): \(error)")
            }
        }
        #expect(throws: CurveError.self) { _ = try CurveKeyFile.readPublic(directory + "/missing.public") }
    }

    @Test func anAllowlistDirectoryHoldsItsPublicFilesOnly() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let a = try CurveKeyPair.generate(), b = try CurveKeyPair.generate()
        _ = try CurveKeyFile.write(a, name: directory + "/a")
        _ = try CurveKeyFile.write(b, name: directory + "/b")
        #expect(try CurveKeyFile.readAllowlist(directory) == [a.publicKey, b.publicKey])
        #expect(try CurveKeyFile.readAllowlist(directory + "/a.public") == [a.publicKey])
    }

    @Test func flagsWinOverTheEnvironmentWhichWinsOverTheConfigFile() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/gym", withIntermediateDirectories: true)
        _ = try write("gym/config", "# keys\ncurve-secret = me.secret\nserver-key = /srv/server.public\nallow = clients\nallow = more\n")
        var environment = ["XDG_CONFIG_HOME": directory]
        let fromConfig = try CurveDefaults.sources(flags: .init(), environment: environment)
        #expect(fromConfig == .init(curveSecret: directory + "/gym/me.secret", serverKey: "/srv/server.public",
                                    allow: [directory + "/gym/clients", directory + "/gym/more"]))
        environment["GYM_SERVER_KEY"] = "/env/server.public"
        environment["GYM_ALLOW"] = "/env/a:/env/b"
        let fromEnvironment = try CurveDefaults.sources(flags: .init(), environment: environment)
        #expect(fromEnvironment.serverKey == "/env/server.public" && fromEnvironment.allow == ["/env/a", "/env/b"])
        #expect(fromEnvironment.curveSecret == directory + "/gym/me.secret")
        let fromFlags = try CurveDefaults.sources(flags: .init(serverKey: "flag.public", allow: ["flagdir"]), environment: environment)
        #expect(fromFlags.serverKey == "flag.public" && fromFlags.allow == ["flagdir"])
        _ = try write("gym/config", "curve-secret me.secret\n")
        #expect(throws: CurveError.self) { _ = try CurveDefaults.sources(flags: .init(), environment: environment) }
    }
}
