import Agents
import Foundation
import NeuralNet
import Testing

/// Policy files are input too (issue 13): a generator of malformed safetensors policies, each
/// of which must load as a clear `AgentError` naming the file (or as a policy that acts), never
/// a trap. `gym eval --policy` crashed on two of these.
@Suite struct MalformedPolicyFileTests {
    /// safetensors bytes from a header object and a data section, as a hostile writer makes them.
    static func craft(_ header: String, data: [UInt8] = []) -> [UInt8] {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes += $0 }
        return bytes + Array(header.utf8) + data
    }

    static func metadataJSON(policy: String, observationSize: Int, actionCount: Int, structure: [String: MetadataValue]) throws -> String {
        let metadata = PolicyMetadata(algo: "qlearning", env: "CartPole-v1", policy: policy, observationSpace: "Box(4,)",
                                      actionSpace: "Discrete(2)", observationSize: observationSize, actionCount: actionCount,
                                      seed: 1, structure: structure, hyperparameters: [:], evaluation: nil)
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(metadata), as: UTF8.self)
    }

    /// A JSON string literal of `text`.
    static func quoted(_ text: String) throws -> String { String(decoding: try JSONEncoder().encode(text), as: UTF8.self) }

    static func header(_ tensors: [(String, [Int], Int, Int)], policy: String, structure: [String: MetadataValue],
                       observationSize: Int = 4, actionCount: Int = 2) throws -> String {
        let gymPolicy = try quoted(try metadataJSON(policy: policy, observationSize: observationSize, actionCount: actionCount, structure: structure))
        let entries = tensors.map { name, shape, begin, end in
            "\"\(name)\":{\"dtype\":\"F32\",\"shape\":\(shape),\"data_offsets\":[\(begin),\(end)]}"
        }
        return "{\"__metadata__\":{\"gym_policy\":\(gymPolicy)}," + entries.joined(separator: ",") + "}"
    }

    /// The malformed files: crafted headers, then truncations and corruptions of a valid file.
    static func malformedFiles() throws -> [(String, [UInt8])] {
        let huge = 1 << 40
        let table: [String: MetadataValue] = ["low": .doubles([-1, -1]), "high": .doubles([1, 1])]
        var files: [(String, [UInt8])] = [
            ("empty", []),
            ("short length", [1, 2, 3]),
            ("header length 2^64-1", [UInt8](repeating: 0xff, count: 8) + Array("{}".utf8)),
            ("header length past the end", [0x40, 0, 0, 0, 0, 0, 0, 0] + Array("{}".utf8)),
            ("header not JSON", craft("{not json")),
            ("deeply nested header", craft(String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000))),
            ("no metadata", craft("{}")),
            ("overflowing shape", craft(try header([("0.weight", [huge, huge, huge], 0, 0)], policy: "q_network", structure: [:]))),
            ("negative offsets", craft(try header([("0.weight", [2, 4], -32, 0)], policy: "q_network", structure: [:]))),
            ("offsets past the data", craft(try header([("0.weight", [2, 4], 0, 1 << 62)], policy: "q_network", structure: [:]))),
            ("empty layer", craft(try header([("0.weight", [0, 4], 0, 0)], policy: "q_network", structure: [:]))),
            ("empty layer the metadata agrees with", craft(try header([("0.weight", [0, 4], 0, 0)], policy: "q_network", structure: [:], actionCount: 0))),
            ("empty input", craft(try header([("0.weight", [2, 0], 0, 0)], policy: "q_network", structure: [:]))),
            ("1-D weight", craft(try header([("0.weight", [8], 0, 32)], policy: "q_network", structure: [:]), data: Array(repeating: 0, count: 32))),
            ("bias of the wrong size", craft(try header([("0.weight", [2, 4], 0, 32), ("0.bias", [3], 32, 44)], policy: "q_network", structure: [:]),
                                             data: Array(repeating: 0, count: 44))),
            ("layers that do not chain", craft(try header([("0.weight", [3, 4], 0, 48), ("2.weight", [2, 5], 48, 88)], policy: "q_network", structure: [:]),
                                               data: Array(repeating: 0, count: 88))),
            ("sizes unlike the metadata", craft(try header([("0.weight", [3, 4], 0, 48)], policy: "q_network", structure: [:]),
                                                data: Array(repeating: 0, count: 48))),
            ("bins whose product overflows", craft(try header([("q_table", [4, 2], 0, 32)], policy: "q_table",
                                                              structure: table.merging(["bins": .ints([1 << 32, 1 << 32])]) { $1 }, observationSize: 2),
                                                   data: Array(repeating: 0, count: 32))),
            ("a billion bins over a small table", craft(try header([("q_table", [4, 2], 0, 32)], policy: "q_table",
                                                                   structure: table.merging(["bins": .ints([1_000_000_000, 1])]) { $1 }, observationSize: 2),
                                                        data: Array(repeating: 0, count: 32))),
            ("negative bins", craft(try header([("q_table", [4, 2], 0, 32)], policy: "q_table",
                                               structure: table.merging(["bins": .ints([-2, -2])]) { $1 }, observationSize: 2),
                                    data: Array(repeating: 0, count: 32))),
            ("a table without actions", craft(try header([("q_table", [4, 0], 0, 0)], policy: "q_table",
                                                         structure: table.merging(["bins": .ints([2, 2])]) { $1 }, observationSize: 2, actionCount: 0))),
            ("unknown policy kind", craft(try header([("0.weight", [2, 4], 0, 32)], policy: "mystery", structure: [:]), data: Array(repeating: 0, count: 32))),
            ("continuous actor without scalings", craft(try header([("0.weight", [1, 4], 0, 16)], policy: "continuous_actor", structure: [:], actionCount: 1),
                                                        data: Array(repeating: 0, count: 16))),
        ]
        // Every truncation and a spread of byte corruptions of a valid network policy.
        var random = SeededRNG(seed: 13)
        let valid = try validNetworkFile()
        for length in stride(from: 0, to: valid.count, by: max(1, valid.count / 64)) { files.append(("truncated to \(length)", Array(valid.prefix(length)))) }
        for trial in 0..<64 {
            var corrupt = valid
            let index = Int(random.nextUniform(low: 0, high: Float(valid.count - 1)))
            corrupt[index] ^= UInt8(truncatingIfNeeded: 1 + trial)
            files.append(("byte \(index) flipped", corrupt))
        }
        return files
    }

    static func validNetworkFile() throws -> [UInt8] {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var random = SeededRNG(seed: 4)
        let policy = QNetworkPolicy(network: MLP(sizes: [4, 8, 2], rng: &random))
        let url = directory.appendingPathComponent("valid.safetensors")
        let metadata = PolicyMetadata(algo: "dqn", env: "CartPole-v1", policy: policy.checkpoint.kind, observationSpace: "Box(4,)",
                                      actionSpace: "Discrete(2)", observationSize: 4, actionCount: 2, seed: 1,
                                      structure: policy.checkpoint.structure, hyperparameters: [:], evaluation: nil)
        try PolicyFile.save(policy, metadata: metadata, to: url)
        return [UInt8](try Data(contentsOf: url))
    }

    @Test func malformedPoliciesAreClearErrorsNamingTheFile() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var rejected = 0
        for (index, (what, bytes)) in try Self.malformedFiles().enumerated() {
            let url = directory.appendingPathComponent("bad-\(index).safetensors")
            try Data(bytes).write(to: url)
            do {
                let (policy, _) = try PolicyFile.load(from: url)
                // A corruption that still decodes (a flipped weight bit) must give a policy that acts.
                let observations = [Float](repeating: 0.5, count: 3 * policy.observationSize)
                _ = policy.actions(observations, count: 3)
            } catch {
                rejected += 1
                #expect(error.message.contains(url.path), "\(what): \(error.message)")
            }
        }
        #expect(rejected >= 80)
    }
}
