import ArgumentParser
import ZeroMQ

extension Gym {
    /// `gym keygen`: a CURVE key pair in two files.
    struct Keygen: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a CURVE key pair: NAME.secret (mode 0600) and NAME.public.",
            discussion: """
            Both files are ZeroMQ certificates (the text format of pyzmq's zmq.auth and czmq's \
            zcert). Give a server --curve-secret NAME.secret; give its clients --server-key \
            NAME.public. A client's NAME.public goes into the server's --allow directory. An \
            existing file is never replaced without --force.
            """)

        @Argument(help: ArgumentHelp("Path and base name of the two files.", valueName: "name"))
        var name: String

        @Flag(help: "Replace existing files.")
        var force = false

        @Flag(help: "Print one JSON object as the last line of stdout.")
        var json = false

        func run() throws {
            let pair = try CurveKeyPair.generate()
            let paths: (secret: String, public: String)
            do {
                paths = try CurveKeyFile.write(pair, name: name, force: force)
            } catch let error as CurveError {
                throw ValidationError(error.message)
            }
            if json {
                print(JSONText.object([("secret", .string(paths.secret)), ("public", .string(paths.public)),
                                       ("public_key", .string(pair.publicKey.z85)), ("fingerprint", .string(pair.publicKey.fingerprint))]).rendered)
            } else {
                print("wrote \(paths.secret) and \(paths.public); public key \(pair.publicKey.z85)")
            }
        }
    }
}
