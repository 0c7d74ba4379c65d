/// A file given on the command line that cannot be used: its path and what is wrong with it.
/// It exits with status 1 (not 64: the command line was fine, the file was not).
struct InputFileError: Error, CustomStringConvertible {
    let description: String

    init(_ path: String, _ problem: String) {
        description = "\(path): \(problem)"
    }
}
