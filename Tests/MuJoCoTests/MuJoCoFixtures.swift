import Foundation
import GymCore
import GymPlugin

/// Gymnasium's recorded episodes (Fixtures/make_mujoco_fixtures.py), one file per environment.
struct MuJoCoFixture: Decodable {
    struct Episode: Decodable {
        let seed: UInt64
        let action_seed: UInt64
        let first_observation: String
        let reset_info: String
        let reset_info_keys: [String]
        let step_info_keys: [String]
        let steps: String
    }

    let env: String
    let episodes: [Episode]

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/episodes")

    static func load(_ id: String) throws -> MuJoCoFixture {
        try JSONDecoder().decode(MuJoCoFixture.self, from: Data(contentsOf: directory.appendingPathComponent("\(id).json")))
    }
}

/// The hash the fixture script computes: 64-bit FNV-1a.
struct FNV1a {
    private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    mutating func add<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        for byte in bytes { value = (value ^ UInt64(byte)) &* 0x100_0000_01B3 }
    }

    mutating func add(_ number: Double) {
        withUnsafeBytes(of: number.bitPattern.littleEndian) { add($0) }
    }

    /// Info values in key order, each as its key's bytes then its float64 bits.
    mutating func add(_ info: ValueMap) {
        for key in info.keys.sorted() {
            add(Array(key.utf8))
            add(info[key]?.doubleValue ?? .nan)
        }
    }

    var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// The MuJoCo plugin the tests load, as the daemon does: from the build directory.
enum MuJoCoPluginUnderTest {
    static let path = "\(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path)/libGymMuJoCo.\(PluginLoader.libraryExtension)"

    static let specs: Result<[String: EnvSpec], any Error> = Result {
        let plugin = try PluginLoader.load(path: path)
        return Dictionary(plugin.specs.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    static func spec(_ id: String) throws -> EnvSpec {
        guard let spec = try specs.get()[id] else { throw GymError(.unknownEnv, "\(id) is not in \(path)") }
        return spec
    }

    /// Every environment the plugin serves, in the fixture script's order.
    static let ids = [
        "HalfCheetah-v5", "Hopper-v5", "Walker2d-v5", "InvertedPendulum-v5", "InvertedDoublePendulum-v5",
        "Swimmer-v5", "Reacher-v5", "Ant-v5", "Humanoid-v5", "HumanoidStandup-v5", "Pusher-v5",
    ]
}

extension Array where Element == UInt8 {
    /// Bytes from lowercase or uppercase hex; nil when the text is not hex of whole bytes.
    init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index..<(index + 2)], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
        }
        self = bytes
    }
}
