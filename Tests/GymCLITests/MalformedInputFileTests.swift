import Foundation
import GymTestSupport
import Testing

/// `gym rollout --actions-file` and `gym eval --policy` read files a user (or an attacker) wrote:
/// each malformed file must end in exit status 1 with a message naming the file, never a signal.
@Suite struct MalformedInputFileTests {
    /// The generator: malformed actions files, with the env they are played on and extra arguments.
    static let actionFiles: [(what: String, env: String, text: String, extra: [String])] = [
        ("unterminated array", "CartPole-v1", "[0, 1,", []),
        ("not an array", "CartPole-v1", "{\"actions\": [0]}", []),
        ("empty file", "CartPole-v1", "", []),
        ("a string action", "CartPole-v1", "[\"left\"]", []),
        ("a fractional action", "CartPole-v1", "[0.5]", []),
        ("an integer beyond Int64", "CartPole-v1", "[9.3e18]", []),
        ("a number JSON cannot hold", "CartPole-v1", "[1e400]", []),
        ("deep nesting", "CartPole-v1", String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000), []),
        ("more steps than actions", "CartPole-v1", "[0]", ["--steps", "10"]),
        ("a box action of the wrong length", "Pendulum-v1", "[[1, 2]]", []),
        ("a box action of strings", "Pendulum-v1", "[[\"x\"]]", []),
    ]

    @Test func malformedActionFilesExitOneNamingTheFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("actions-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (index, file) in Self.actionFiles.enumerated() {
            let url = directory.appendingPathComponent("bad-\(index).json")
            try Data(file.text.utf8).write(to: url)
            let run = try gym(["rollout", "--env", file.env, "--seed", "0", "--actions-file", url.path] + file.extra)
            if file.what == "more steps than actions" {
                // Not an error: the episode stops when the file's actions do.
                #expect(run.status == 0, "\(file.what): \(run.stderr)")
                #expect(run.lines.count == 2, "\(file.what): \(run.stdout)")
                continue
            }
            #expect(run.status == 1, "\(file.what): status \(run.status), \(run.stderr)")
            #expect(run.stderr.contains(url.path), "\(file.what): \(run.stderr)")
            #expect(!run.stderr.contains("USAGE"), "\(file.what): a bad file is not a usage error")
        }
    }

    @Test func malformedPoliciesExitOneNamingTheFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("policies-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let files: [(String, [UInt8])] = [
            ("empty", []),
            ("header length 2^64-1", [UInt8](repeating: 0xff, count: 8)),
            ("header past the end", [0x40, 0, 0, 0, 0, 0, 0, 0] + Array("{}".utf8)),
            ("a header of garbage", [4, 0, 0, 0, 0, 0, 0, 0] + [0xde, 0xad, 0xbe, 0xef]),
        ]
        for (what, bytes) in files {
            let url = directory.appendingPathComponent("\(what.replacingOccurrences(of: " ", with: "-")).safetensors")
            try Data(bytes).write(to: url)
            let run = try gym(["eval", "--policy", url.path, "--episodes", "1"])
            #expect(run.status == 1, "\(what): status \(run.status), \(run.stderr)")
            #expect(run.stderr.contains(url.path), "\(what): \(run.stderr)")
        }
    }
}
