import Foundation

/// The built `gym` binary, beside the test bundle.
public let gymBinary: URL = {
    let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    return bundle.appendingPathComponent("gym")
}()
