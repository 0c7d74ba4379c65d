import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CURVE key files: ZeroMQ certificates in the ZPL text format that pyzmq's `zmq.auth` and
/// czmq's `zcert` write, so keys made by either work here and the other way round.
///
///     #   gym CURVE certificate (Z85). Keep NAME.secret private.
///     metadata
///     curve
///         public-key = "<40 Z85 characters>"
///         secret-key = "<40 Z85 characters>"      (only in NAME.secret)
///
/// A file holding nothing but one 40-character Z85 key on a line is read as that key. Files are
/// read as hostile input: at most `maxBytes`, every key validated, errors naming the file.
public enum CurveKeyFile {
    /// Largest key file read.
    public static let maxBytes = 64 << 10

    /// The key pair in a secret key file (its public key is derived when the file has none).
    /// A file others can read is logged as a warning.
    public static func readSecret(_ path: String, logger: Logger? = nil) throws -> CurveKeyPair {
        let (text, mode) = try contents(of: path)
        if mode & 0o077 != 0 {
            logger?.warning("secret key file \(path) can be read by other users (mode \(String(mode & 0o777, radix: 8))): chmod 600 it")
        }
        let fields = try parse(text, path: path)
        guard let secret = fields.secret ?? fields.bare else {
            throw CurveError(.keyFile, "\(path) holds no secret-key (is it a .public file?)")
        }
        do {
            if let publicKey = fields.publicKey { return try CurveKeyPair(publicKey: publicKey, secretKey: secret) }
            return try CurveKeyPair(secretKey: secret)
        } catch let error as CurveError {
            throw CurveError(.keyFile, "\(path): \(error.message)")
        }
    }

    /// The public key in a public key file (a secret key file's public key works too).
    public static func readPublic(_ path: String) throws -> CurveKey {
        let fields = try parse(try contents(of: path).text, path: path)
        if let key = fields.publicKey ?? fields.bare { return key }
        if let secret = fields.secret, let pair = try? CurveKeyPair(secretKey: secret) { return pair.publicKey }
        throw CurveError(.keyFile, "\(path) holds no public-key")
    }

    /// The public keys an allowlist names: every `*.public` file of a directory, or one key file.
    public static func readAllowlist(_ path: String) throws -> Set<CurveKey> {
        var isDirectory = stat()
        guard stat(path, &isDirectory) == 0 else { throw CurveError(.keyFile, "cannot read allowlist \(path): \(String(cString: strerror(errno)))") }
        guard isDirectory.st_mode & S_IFMT == S_IFDIR else { return [try readPublic(path)] }
        guard let directory = opendir(path) else { throw CurveError(.keyFile, "cannot list allowlist directory \(path): \(String(cString: strerror(errno)))") }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            if name.hasSuffix(".public"), !name.hasPrefix(".") { names.append(name) }
            guard names.count <= 100_000 else { throw CurveError(.keyFile, "allowlist directory \(path) holds over 100000 keys") }
        }
        return Set(try names.sorted().map { try readPublic(path.hasSuffix("/") ? path + $0 : path + "/" + $0) })
    }

    /// Writes `NAME.secret` (mode 0600) and `NAME.public` (0644) for `pair`. Refuses to replace
    /// an existing file unless `force`; the secret file is created exclusively, never through a
    /// file or link already there.
    public static func write(_ pair: CurveKeyPair, name: String, force: Bool = false) throws -> (secret: String, public: String) {
        let secretPath = name + ".secret", publicPath = name + ".public"
        let base = name.split(separator: "/").last.map(String.init) ?? name
        let header = "#   gym CURVE certificate (Z85). Keep \(base).secret private.\nmetadata\ncurve\n"
        let publicLine = "    public-key = \"\(pair.publicKey.z85)\"\n"
        try create(secretPath, mode: 0o600, force: force, text: header + publicLine + "    secret-key = \"\(pair.secretKey.z85)\"\n")
        try create(publicPath, mode: 0o644, force: force, text: header + publicLine)
        return (secretPath, publicPath)
    }

    private static func create(_ path: String, mode: mode_t, force: Bool, text: String) throws {
        if force, unlink(path) != 0, errno != ENOENT {
            throw CurveError(.keyFile, "cannot replace \(path): \(String(cString: strerror(errno)))")
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard descriptor >= 0 else {
            if errno == EEXIST { throw CurveError(.keyFile, "\(path) exists; pass --force to replace it") }
            throw CurveError(.keyFile, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        // The umask may have narrowed the mode; the public file must be readable by others.
        fchmod(descriptor, mode)
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { systemWrite(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw CurveError(.keyFile, "cannot write \(path): \(String(cString: strerror(errno)))") }
    }

    private static func contents(of path: String) throws -> (text: String, mode: mode_t) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw CurveError(.keyFile, "cannot open key file \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw CurveError(.keyFile, "key file \(path) is not a regular file")
        }
        var bytes = [UInt8](repeating: 0, count: maxBytes + 1)
        var count = 0
        while count < bytes.count {
            let got = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + count, $0.count - count) }
            if got < 0, errno == EINTR { continue }
            guard got >= 0 else { throw CurveError(.keyFile, "cannot read key file \(path): \(String(cString: strerror(errno)))") }
            if got == 0 { break }
            count += got
        }
        guard count <= maxBytes else { throw CurveError(.keyFile, "key file \(path) is over \(maxBytes) bytes") }
        return (String(decoding: bytes.prefix(count), as: UTF8.self), status.st_mode)
    }

    private struct Fields {
        var publicKey: CurveKey?
        var secret: CurveKey?
        var bare: CurveKey?
    }

    private static func parse(_ text: String, path: String) throws -> Fields {
        var fields = Fields()
        var lines: [String] = []
        for raw in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            let line = String(raw).trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            lines.append(line)
        }
        func key(_ value: Substring, _ name: String, line: Int) throws -> CurveKey {
            var value = String(value).trimmingWhitespace()
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            do { return try CurveKey(z85: value) } catch let error as CurveError {
                throw CurveError(.keyFile, "\(path) line \(line): \(name): \(error.message)")
            }
        }
        for (index, line) in lines.enumerated() {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let name = line[..<equals].trimmingCharacters()
            let value = line[line.index(after: equals)...]
            switch name {
            case "public-key": fields.publicKey = try key(value, name, line: index + 1)
            case "secret-key": fields.secret = try key(value, name, line: index + 1)
            default: continue
            }
        }
        if fields.publicKey == nil, fields.secret == nil {
            guard lines.count == 1 else {
                throw CurveError(.keyFile, "\(path) is neither a ZeroMQ certificate (public-key = \"…\") nor one 40-character Z85 key")
            }
            fields.bare = try key(Substring(lines[0]), "key", line: 1)
        }
        return fields
    }
}

extension Substring {
    fileprivate func trimmingCharacters() -> String { String(self).trimmingWhitespace() }
}

private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(descriptor, bytes, count)
    #else
    Darwin.write(descriptor, bytes, count)
    #endif
}
