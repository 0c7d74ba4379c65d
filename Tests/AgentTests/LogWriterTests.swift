@testable import Agents
import Foundation
import Testing

/// Reads TFRecord framing and the `Event` fields TensorBoard's scalar view uses, checking every CRC.
enum EventFileReader {
    struct Event: Equatable {
        var wallTime: Double?
        var step: Int64 = 0
        var fileVersion: String?
        var scalars: [String: Float] = [:]
    }

    enum ReadError: Error { case truncated, badCRC(record: Int), badWireType(Int) }

    static func read(_ bytes: [UInt8]) throws -> [Event] {
        var events: [Event] = []
        var offset = 0
        while offset < bytes.count {
            guard offset + 12 <= bytes.count else { throw ReadError.truncated }
            let lengthBytes = Array(bytes[offset..<(offset + 8)])
            let length = Int(littleEndian(lengthBytes))
            guard UInt32(littleEndian(Array(bytes[(offset + 8)..<(offset + 12)]))) == CRC32C.masked(lengthBytes) else {
                throw ReadError.badCRC(record: events.count)
            }
            let start = offset + 12
            guard start + length + 4 <= bytes.count else { throw ReadError.truncated }
            let payload = Array(bytes[start..<(start + length)])
            guard UInt32(littleEndian(Array(bytes[(start + length)..<(start + length + 4)]))) == CRC32C.masked(payload) else {
                throw ReadError.badCRC(record: events.count)
            }
            events.append(try event(payload))
            offset = start + length + 4
        }
        return events
    }

    private static func event(_ bytes: [UInt8]) throws -> Event {
        var event = Event()
        for (field, value) in try fields(bytes) {
            switch (field, value) {
            case (1, .fixed64(let bits)): event.wallTime = Double(bitPattern: bits)
            case (2, .varint(let raw)): event.step = Int64(bitPattern: raw)
            case (3, .bytes(let text)): event.fileVersion = String(decoding: text, as: UTF8.self)
            case (5, .bytes(let summary)):
                for (_, entry) in try fields(summary) {
                    guard case .bytes(let valueBytes) = entry else { continue }
                    var tag = "", number: Float = .nan
                    for (valueField, part) in try fields(valueBytes) {
                        if valueField == 1, case .bytes(let text) = part { tag = String(decoding: text, as: UTF8.self) }
                        if valueField == 2, case .fixed32(let bits) = part { number = Float(bitPattern: bits) }
                    }
                    event.scalars[tag] = number
                }
            default: break
            }
        }
        return event
    }

    enum Field { case varint(UInt64), fixed64(UInt64), fixed32(UInt32), bytes([UInt8]) }

    static func fields(_ bytes: [UInt8]) throws -> [(Int, Field)] {
        var out: [(Int, Field)] = []
        var index = 0
        func varint() throws -> UInt64 {
            var value: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard index < bytes.count else { throw ReadError.truncated }
                let byte = bytes[index]
                index += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
            }
        }
        while index < bytes.count {
            let key = try varint()
            let field = Int(key >> 3)
            switch key & 7 {
            case 0: out.append((field, .varint(try varint())))
            case 1:
                out.append((field, .fixed64(littleEndian(Array(bytes[index..<(index + 8)])))))
                index += 8
            case 2:
                let length = Int(try varint())
                out.append((field, .bytes(Array(bytes[index..<(index + length)]))))
                index += length
            case 5:
                out.append((field, .fixed32(UInt32(littleEndian(Array(bytes[index..<(index + 4)]))))))
                index += 4
            default: throw ReadError.badWireType(Int(key & 7))
            }
        }
        return out
    }

    private static func littleEndian(_ bytes: [UInt8]) -> UInt64 {
        bytes.enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    }
}

@Suite struct LogWriterTests {
    @Test func crc32cMatchesTheStandardCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    }

    @Test func tensorBoardEventsReadBack() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let writer = try TensorBoardWriter(directory: directory, wallTime: 1_700_000_000.25)
        writer.scalar("charts/episodic_return", 21.5, step: 7, wallTime: 1_700_000_001.5)
        writer.scalar("losses/td_loss", 0.125, step: 300, wallTime: 1_700_000_002)
        writer.scalar("charts/episodic_return", -3, step: 1 << 40, wallTime: 1_700_000_003)
        try writer.close()
        #expect(writer.url.lastPathComponent.hasPrefix("events.out.tfevents.1700000000."))
        let events = try EventFileReader.read(Array(try Data(contentsOf: writer.url)))
        #expect(events.count == 4)
        #expect(events[0].fileVersion == "brain.Event:2")
        #expect(events[0].wallTime == 1_700_000_000.25)
        #expect(events[1] == .init(wallTime: 1_700_000_001.5, step: 7, scalars: ["charts/episodic_return": 21.5]))
        #expect(events[2].scalars == ["losses/td_loss": 0.125])
        #expect(events[3].step == 1 << 40)
        #expect(events[3].scalars == ["charts/episodic_return": -3])
    }

    @Test func monitorWritesCSVEventsAndCurve() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let monitor = try TrainingMonitor(label: "test", logDirectory: directory, progress: false)
        for (index, value) in [10.0, 30, 20].enumerated() {
            monitor.episode(FinishedEpisode(environment: 0, episodeReturn: value, length: Int(value)), step: 100 * (index + 1))
        }
        #expect(monitor.recentMean(2) == 25)
        try monitor.finish(threshold: 25)

        let csv = try String(contentsOf: directory.appendingPathComponent("episodes.csv"), encoding: .utf8)
        let rows = csv.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        #expect(rows.first == ["episode", "step", "return", "length", "wall_s"])
        #expect(rows.dropFirst().map { Array($0.prefix(4)) } == [["1", "100", "10.0", "10"], ["2", "200", "30.0", "30"], ["3", "300", "20.0", "20"]])

        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        let eventFile = try #require(files.first { $0.hasPrefix("events.out.tfevents.") })
        let events = try EventFileReader.read(Array(try Data(contentsOf: directory.appendingPathComponent(eventFile))))
        let returns = events.compactMap { event in event.scalars["charts/episodic_return"].map { (event.step, $0) } }
        #expect(returns.map(\.0) == [100, 200, 300])
        #expect(returns.map(\.1) == [10, 30, 20])

        let svg = try String(contentsOf: directory.appendingPathComponent("learning_curve.svg"), encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("<polyline") && svg.contains("stroke-dasharray"))
    }

    @Test func curveTicksAreRound() {
        #expect(LearningCurve.ticks(low: 9, high: 500) == [0, 100, 200, 300, 400, 500])
        #expect(LearningCurve.ticks(low: 0, high: 44_980) == [0, 10_000, 20_000, 30_000, 40_000, 50_000])
        #expect(LearningCurve(title: "t", points: [(1, 1), (2, 3), (3, 5)], window: 2).movingAverage == [1, 2, 4])
    }
}
