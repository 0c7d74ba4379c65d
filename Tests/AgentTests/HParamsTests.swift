@testable import Agents
import Foundation
import Testing

/// The hyperparameters reach TensorBoard's HPARAMS tab: the three plugin summaries PyTorch's
/// `add_hparams` writes, read back field by field (the layout of tensorboard's
/// `plugin_data.proto` and `api.proto`).
@Suite struct HParamsTests {
    /// The `HParamsPluginData` of each hparams summary in an event file, by tag.
    static func pluginData(_ bytes: [UInt8]) throws -> [String: [(Int, EventFileReader.Field)]] {
        var found: [String: [(Int, EventFileReader.Field)]] = [:]
        var offset = 0
        while offset + 12 <= bytes.count {
            let length = bytes[offset..<(offset + 8)].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            let payload = Array(bytes[(offset + 12)..<(offset + 12 + length)])
            offset += 16 + length
            for case (5, .bytes(let summary)) in try EventFileReader.fields(payload) {
                for case (1, .bytes(let value)) in try EventFileReader.fields(summary) {
                    let parts = try EventFileReader.fields(value)
                    guard let tag = parts.compactMap({ if case (1, .bytes(let text)) = $0 { return String(decoding: text, as: UTF8.self) } else { return nil } }).first,
                          case (9, .bytes(let metadata))? = parts.first(where: { $0.0 == 9 }),
                          case (1, .bytes(let plugin))? = try EventFileReader.fields(metadata).first else { continue }
                    let pluginParts = try EventFileReader.fields(plugin)
                    guard case (1, .bytes(let name))? = pluginParts.first, String(decoding: name, as: UTF8.self) == "hparams",
                          case (2, .bytes(let content))? = pluginParts.last else { continue }
                    found[tag] = try EventFileReader.fields(content)
                }
            }
        }
        return found
    }

    static func message(_ parts: [(Int, EventFileReader.Field)], _ field: Int) throws -> [(Int, EventFileReader.Field)] {
        guard case (_, .bytes(let bytes))? = parts.first(where: { $0.0 == field }) else { return [] }
        return try EventFileReader.fields(bytes)
    }

    static func text(_ parts: [(Int, EventFileReader.Field)], _ field: Int) -> String? {
        guard case (_, .bytes(let bytes))? = parts.first(where: { $0.0 == field }) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func everyHyperparameterAndTheRunNameReachTheSessionStart() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gym-hparams-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let writer = try TensorBoardWriter(directory: directory)
        writer.hparams([("run", .text("dqn-CartPole-v1-3-20261202T170631")), ("learning_rate", .number(0.00025)), ("double_dqn", .flag(true))],
                       metrics: ["eval/mean_return"], group: "dqn-CartPole-v1-3-20261202T170631", wallTime: 1_700_000_000)
        try writer.close()
        let data = try Self.pluginData(Array(try Data(contentsOf: writer.url)))
        #expect(Set(data.keys) == ["_hparams_/experiment", "_hparams_/session_start_info", "_hparams_/session_end_info"])

        let experiment = try Self.message(try #require(data["_hparams_/experiment"]), 2)
        let infos = try experiment.filter { $0.0 == 4 }.map { entry -> (String?, UInt64?) in
            guard case .bytes(let bytes) = entry.1 else { return (nil, nil) }
            let parts = try EventFileReader.fields(bytes)
            let type = parts.compactMap { if case (4, .varint(let raw)) = $0 { return raw } else { return nil } }.first
            return (Self.text(parts, 1), type)
        }
        #expect(infos.map(\.0) == ["run", "learning_rate", "double_dqn"])
        #expect(infos.map(\.1) == [1, 3, 2])  // DATA_TYPE_STRING, _FLOAT64, _BOOL
        #expect(Self.text(try Self.message(try Self.message(experiment, 5), 1), 2) == "eval/mean_return")

        let start = try Self.message(try #require(data["_hparams_/session_start_info"]), 3)
        #expect(Self.text(start, 4) == "dqn-CartPole-v1-3-20261202T170631")
        var values: [String: EventFileReader.Field] = [:]
        for case (1, .bytes(let entry)) in start {
            let parts = try EventFileReader.fields(entry)
            if let key = Self.text(parts, 1), let value = try Self.message(parts, 2).first { values[key] = value.1 }
        }
        guard case .fixed64(let rate)? = values["learning_rate"], case .varint(1)? = values["double_dqn"],
              case .bytes(let run)? = values["run"] else {
            Issue.record("values read back as \(values)")
            return
        }
        #expect(Double(bitPattern: rate) == 0.00025)
        #expect(String(decoding: run, as: UTF8.self) == "dqn-CartPole-v1-3-20261202T170631")
        let end = try Self.message(try #require(data["_hparams_/session_end_info"]), 4)
        #expect(end.contains { if case (1, .varint(1)) = $0 { return true } else { return false } })  // STATUS_SUCCESS
    }
}
