import Foundation
import GymCore
import GymPlugin
import Testing

/// The conformance suite over environments loaded through the plugin C ABI, since those are
/// what the daemon serves: the shipped Swift plugins, and the C fixture plugin.
@Suite struct PluginConformanceTests {
    /// The shipped plugins beside the test bundle, then the C fixture, each by its file.
    static let libraries: [String] = ["GymClassicControl", "GymFlyer"].map {
        "\(buildDirectory)/lib\($0).\(PluginLoader.libraryExtension)"
    } + ["\(fixtureDirectory)/counter_env.so"]

    /// Every environment those libraries register, by id; a library that fails to load
    /// contributes none, which `everyPluginEnvironmentIsCovered` reports.
    static let loaded: [String: EnvSpec] = {
        var specs: [String: EnvSpec] = [:]
        for path in libraries {
            guard let plugin = try? PluginLoader.load(path: path) else { continue }
            for spec in plugin.specs { specs[spec.id] = spec }
        }
        return specs
    }()

    static let expected: Set<String> = [
        "CartPole-v0", "CartPole-v1", "Pendulum-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Acrobot-v1",
        "Flyer-v0", "Counter-v0",
    ]

    @Test(arguments: expected.sorted())
    func pluginEnvironmentConforms(id: String) throws {
        let spec = try #require(Self.loaded[id], "\(id) did not load from \(Self.libraries)")
        #expect(Conformance.check(spec) == [])
    }

    @Test func everyPluginEnvironmentIsCovered() throws {
        for path in Self.libraries { _ = try PluginLoader.load(path: path) }
        #expect(Set(Self.loaded.keys) == Self.expected)
    }
}
