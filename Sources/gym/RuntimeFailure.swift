/// A command that was given a good command line but failed while running (a port in use, a
/// service that cannot start): it prints the message without the usage banner and exits 1.
struct RuntimeFailure: Error, CustomStringConvertible {
    let description: String

    init(_ message: String) { description = message }
}
