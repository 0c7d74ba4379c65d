import ClassicControl
import Flyer
import Foundation
import ImageFormats
import Testing
@testable import GymCore

/// Every environment draws a frame of its declared size with something on it. Set
/// `GYM_RENDER_DIR` to a folder to also get each frame as a PNG, to look at.
@Suite struct RenderTests {
    static let specs = ClassicControl.specs + FlyerEnvironments.specs
    static let stepsBeforeRendering = 5

    @Test(arguments: specs.map(\.id))
    func rendersItsDeclaredSizeAndNotAFlatColour(id: String) throws {
        let spec = try #require(Self.specs.first { $0.id == id })
        let size = try #require(spec.renderSize)
        let env = try spec.make()
        var observation = [UInt8](repeating: 0, count: spec.observationSpace.byteCount)
        _ = try observation.withUnsafeMutableBytes { try env.reset(seed: 3, options: [:], observation: $0) }
        let before = try env.render()
        var random = NumPyGenerator(seed: 3)
        for _ in 0..<Self.stepsBeforeRendering {
            let action = spec.actionSpace.sample(using: &random)
            let result = try action.withUnsafeBytes { action in
                try observation.withUnsafeMutableBytes { try env.step(action: action, observation: $0) }
            }
            if result.terminated { break }
        }
        let frame = try env.render()
        for image in [before, frame] {
            #expect(image.width == size.width && image.height == size.height)
            #expect(image.pixels.count == size.width * size.height * RGBFrame.bytesPerPixel)
            #expect(Self.distinctColours(image) >= 3, "\(id) rendered \(Self.distinctColours(image)) colour(s)")
        }
        if let directory = ProcessInfo.processInfo.environment["GYM_RENDER_DIR"], !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try PNGEncoder.write(before, to: "\(directory)/\(id)-reset.png")
            try PNGEncoder.write(frame, to: "\(directory)/\(id).png")
        }
    }

    @Test func cartPoleDrawsCartPoleAndTrackWhereTheStateSays() throws {
        let env = try #require(ClassicControl.specs.first { $0.id == "CartPole-v1" }).make()
        var observation = [UInt8](repeating: 0, count: 16)
        _ = try observation.withUnsafeMutableBytes { try env.reset(seed: 0, options: [:], observation: $0) }
        let state = observation.withUnsafeBytes { raw in (0..<4).map { Double(raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self)) } }
        let frame = try env.render()
        let height = frame.height
        // Gymnasium's geometry: 125 px per metre, cart centred 100 px up, axle 7.5 px above that.
        let cartX = state[0] * 125 + 300
        #expect(frame[x: Int(cartX), y: height - 1 - 90] == .black)
        let alongPole = 80.0
        let poleX = cartX + alongPole * sin(state[2])
        let poleY = 107.5 + alongPole * cos(state[2])
        #expect(frame[x: Int(poleX), y: height - 1 - Int(poleY)] == RGB(202, 152, 101))
        #expect(frame[x: 10, y: height - 1 - 100] == .black)
        #expect(frame[x: 10, y: 10] == .white)
    }

    static func distinctColours(_ frame: RGBFrame) -> Int {
        var colours = Set<UInt32>()
        var index = 0
        while index < frame.pixels.count {
            colours.insert(UInt32(frame.pixels[index]) << 16 | UInt32(frame.pixels[index + 1]) << 8 | UInt32(frame.pixels[index + 2]))
            index += RGBFrame.bytesPerPixel
        }
        return colours.count
    }
}
