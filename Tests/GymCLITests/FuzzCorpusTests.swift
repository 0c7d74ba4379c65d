import Foundation
import GymTestSupport
import Testing

/// The committed fuzz corpora (seeds and every crasher found, `Fuzz/TARGET/corpus`) replay
/// through their harnesses' ordinary builds, so a fixed crasher stays fixed.
@Suite struct FuzzCorpusTests {
    @Test(arguments: [
        "RequestDecode", "BufferHandler", "ParameterHandler", "EventDecode", "SafeTensorsLoad", "RecordingRead",
        "CheckpointRestore", "PluginValues", "StepReplyDecode",
    ])
    func corpusReplaysWithoutACrash(target: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let corpus = root.appendingPathComponent("Fuzz/\(target)/corpus")
        let process = Process()
        process.executableURL = gymBinary.deletingLastPathComponent().appendingPathComponent("Fuzz\(target)")
        process.arguments = [corpus.path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "\(text)")
        #expect(text.contains("replayed"))
    }
}
