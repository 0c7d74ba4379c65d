import ClassicControl
import Foundation
import GymCore
import GymPlugin
import GymTestSupport
import Logging
import Testing

/// Builds the C fixture plugins once into a temporary directory.
let fixtureDirectory: String = {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("gym-plugin-fixtures-\(getpid())").path
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = [fixtures.appendingPathComponent("build_fixtures.sh").path, out]
    try? process.run()
    process.waitUntilExit()
    return out
}()

/// The directory of the test bundle, where SwiftPM puts the shipped plugin libraries.
let buildDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path

@Suite struct PluginTests {
    @Test func aPluginWrittenInCLoadsAndSteps() throws {
        let plugin = try PluginLoader.load(path: "\(fixtureDirectory)/counter_env.so")
        #expect(plugin.name == "counter")
        let spec = try #require(plugin.specs.first)
        #expect(spec.id == "Counter-v0")
        #expect(spec.actionSpace == .discrete(n: 3))
        #expect(spec.maxEpisodeSteps == 20)
        #expect(spec.rewardThreshold == 2.5)
        #expect(spec.kwargs["target"] == .integer(3))
        let batch = try EnvBatch(spec: spec, count: 2, kwargs: ["step_size": .number(2)])
        try batch.reset(seeds: [0])
        #expect(batch.observationArrays()[0].floats == [0, 1])
        try batch.step(actions: [NDArray(dtype: .int64, shape: [2], values: [2, 0])])
        #expect(batch.observationArrays()[0].floats == [2, -1])
        #expect(batch.rewards == [1, -1])
        try batch.step(actions: [NDArray(dtype: .int64, shape: [2], values: [2, 1])])
        #expect(batch.terminated == [1, 0])
        #expect(throws: GymError.self) { try spec.make(["nope": .flag(true)]) }
    }

    @Test func brokenLibrariesAreSkippedWithALogLine() throws {
        let log = CapturedLog()
        let plugins = PluginLoader.loadDirectory(fixtureDirectory, logger: log.logger)
        #expect(plugins.filter { !$0.specs.isEmpty }.map(\.name) == ["counter"])
        #expect(plugins.first { $0.name == "broken" }?.skipped.map(\.id) == ["Broken-v0"])
        let warnings = log.messages.filter { $0.level == .warning }.map(\.text)
        #expect(warnings.contains { $0.contains("not_a_library.so") && $0.contains("not a loadable library") })
        #expect(warnings.contains { $0.contains("no_entry.so") && $0.contains("gym_plugin_entry") })
        #expect(warnings.contains { $0.contains("wrong_abi.so") && $0.contains("ABI version 99") })
        #expect(warnings.contains { $0.contains("Broken-v0") && $0.contains("always fails to start") })
    }

    @Test func theShippedSwiftPluginMatchesTheLinkedEnvironment() throws {
        let plugin = try PluginLoader.load(path: "\(buildDirectory)/libGymClassicControl.\(PluginLoader.libraryExtension)")
        #expect(plugin.name == "ClassicControl")
        let fromPlugin = try #require(plugin.specs.first { $0.id == "CartPole-v1" })
        let linked = try #require(CartPole.specs().first { $0.id == "CartPole-v1" })
        #expect(fromPlugin.observationSpace == linked.observationSpace)
        #expect(fromPlugin.maxEpisodeSteps == 500)
        let a = try EnvBatch(spec: fromPlugin, count: 3, seed: 11)
        let b = try EnvBatch(spec: linked, count: 3, seed: 11)
        try a.reset()
        try b.reset()
        var random = NumPyGenerator(seed: 5)
        for _ in 0..<300 {
            let actions = [NDArray(dtype: .int64, shape: [3], values: (0..<3).map { _ in Double(random.integers(high: 2)) })]
            try a.step(actions: actions)
            try b.step(actions: actions)
            #expect(a.observations == b.observations)
            #expect(a.rewards == b.rewards && a.terminated == b.terminated && a.truncated == b.truncated)
        }
    }

    @Test func aBadResetOptionIsTheCallersErrorNotThePlugins() throws {
        let plugin = try PluginLoader.load(path: "\(buildDirectory)/libGymClassicControl.\(PluginLoader.libraryExtension)")
        let spec = try #require(plugin.specs.first { $0.id == "CartPole-v1" })
        let batch = try EnvBatch(spec: spec, count: 1, seed: 3)
        let error = try #require(throws: GymError.self) { try batch.reset(options: ["low": .number(1), "high": .number(0)]) }
        #expect(error.code == .invalidArgument)
        #expect(error.message.contains("low 1.0 exceeds high 0.0"))
        try batch.reset(options: ["low": .number(-0.1), "high": .number(0.1)])
    }

    @Test func registryKeepsTheFirstPluginForAnID() throws {
        let log = CapturedLog()
        let registry = PluginLoader.registry(directories: [fixtureDirectory, fixtureDirectory], logger: log.logger)
        #expect(registry.all.map(\.id) == ["Counter-v0"])
        #expect(log.messages.contains { $0.text.contains("already registered") })
    }
}
