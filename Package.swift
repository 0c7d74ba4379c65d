// swift-tools-version:6.0
import Foundation
import PackageDescription

// A plugin binds its own symbols first, so the copy of GymCore inside it never mixes with the
// daemon's (they meet only through the C ABI of Sources/CGymPlugin).
let pluginLinkerSettings: [LinkerSetting] = [.unsafeFlags(["-Xlinker", "-Bsymbolic"], .when(platforms: [.linux]))]

/// MuJoCo from the `mujoco` wheel (scripts/install-python-deps puts it in .venv-test): the
/// plugin is declared only when its headers are there, so the daemon builds without it.
/// GYM_MUJOCO_ROOT names the wheel's `mujoco` directory (holding `include/` and `libmujoco.so.*`).
struct MuJoCoInstall {
    let root: String
    let library: String
    /// Gymnasium's MuJoCo XML assets beside the wheel, the plugin's default at run time.
    let assets: String

    static func find() -> MuJoCoInstall? {
        let files = FileManager.default
        let packageDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
        let sitePackages = "\(packageDirectory)/.venv-test/lib/python3.11/site-packages"
        let root = ProcessInfo.processInfo.environment["GYM_MUJOCO_ROOT"] ?? "\(sitePackages)/mujoco"
        guard files.fileExists(atPath: "\(root)/include/mujoco/mujoco.h"),
              let library = (try? files.contentsOfDirectory(atPath: root))?.filter({ $0.hasPrefix("libmujoco.so") }).sorted().last
        else { return nil }
        let site = URL(fileURLWithPath: root).resolvingSymlinksInPath().deletingLastPathComponent().path
        return MuJoCoInstall(root: root, library: library, assets: "\(site)/gymnasium/envs/mujoco/assets")
    }
}
let mujoco = MuJoCoInstall.find()

let package = Package(
    name: "gym",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "gym", targets: ["gym"]),
        .library(name: "GymClient", targets: ["GymClient"]),
        .library(name: "GymCore", targets: ["GymCore"]),
        // Environment plugins, loaded by the daemon from beside its executable.
        .library(name: "GymClassicControl", type: .dynamic, targets: ["ClassicControlPlugin"]),
        .library(name: "GymFlyer", type: .dynamic, targets: ["FlyerPlugin"]),
    ] + (mujoco == nil ? [] : [.library(name: "GymMuJoCo", type: .dynamic, targets: ["MuJoCoPlugin"])]),
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        // C libraries from Debian, wrapped as module maps only.
        .systemLibrary(name: "CZMQ", pkgConfig: "libzmq", providers: [.apt(["libzmq3-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),

        // The one error shape every module's errors share: a code of an open set and a message.
        .target(name: "CodedErrors"),
        // JSON string literals for the modules that write JSON by hand.
        .target(name: "JSONWriting"),
        // Transport: knows nothing of reinforcement learning.
        .target(name: "ZeroMQ", dependencies: ["CZMQ", "CodedErrors", .product(name: "Logging", package: "swift-log")]),
        // Wire schema: generated code plus small conversions.
        .target(name: "GymProtocol", dependencies: ["CodedErrors", "GymCore", .product(name: "SwiftProtobuf", package: "swift-protobuf")]),
        // Environments, spaces, registry: knows nothing of sockets.
        .target(name: "GymCore", dependencies: ["CodedErrors"]),
        // The shape every server shares (start, stop, wait) and its run state: knows nothing of
        // sockets or reinforcement learning.
        .target(name: "ServiceRuntime"),
        // The plugin C ABI (a header) and its Swift side: loading plugins, exporting Swift environments.
        .target(name: "CGymPlugin"),
        .target(name: "GymPlugin", dependencies: ["CGymPlugin", "GymCore", .product(name: "Logging", package: "swift-log")]),
        // Gymnasium's classic-control environments, and the entry point that makes them a plugin.
        .target(name: "ClassicControl", dependencies: ["GymCore"], path: "Plugins/ClassicControl", exclude: ["Entry"]),
        .target(name: "ClassicControlPlugin", dependencies: ["ClassicControl", "GymPlugin"], path: "Plugins/ClassicControl/Entry",
                linkerSettings: pluginLinkerSettings),
        // The gravity flyer, likewise.
        .target(name: "Flyer", dependencies: ["GymCore"], path: "Plugins/Flyer", exclude: ["Entry"]),
        .target(name: "FlyerPlugin", dependencies: ["Flyer", "GymPlugin"], path: "Plugins/Flyer/Entry",
                linkerSettings: pluginLinkerSettings),
        // Image files (PNG) from rendered frames.
        .target(name: "ImageFormats", dependencies: ["CZlib", "CodedErrors", "GymCore", "JSONWriting"]),
        // The daemon, and the embedded one commands start when given no server.
        .target(name: "GymServer", dependencies: [
            "CodedErrors", "GymCore", "GymProtocol", "ZeroMQ", "ServiceRuntime",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Client library: environments, buffer and parameter clients over the wire, nothing of the server.
        .target(name: "GymClient", dependencies: [
            "GymCore", "GymProtocol", "ZeroMQ",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The recorder: the daemon's event stream into SQLite episodes.
        .target(name: "Recorder", dependencies: [
            "CSQLite", "GymCore", "GymProtocol", "GymClient", "JSONWriting", "ZeroMQ", "ServiceRuntime", .product(name: "Logging", package: "swift-log"),
        ], path: "Sources/Services/Recorder",
                // The per-step path appends to class-held arrays; skipping the runtime exclusivity
                // checks there is worth a fifth of the recorder's time.
                swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        // The replay-buffer service (`gym buffer`): tables, selectors, rate limiters, checkpoints.
        .target(name: "BufferService", dependencies: [
            "CZlib", "GymCore", "GymProtocol", "ZeroMQ", "ServiceRuntime", .product(name: "Logging", package: "swift-log"),
        ], path: "Sources/Services/Buffer"),
        // The parameter service of distributed learners: versioned weights, gradients, joins.
        .target(name: "ParameterService", dependencies: [
            "GymCore", "GymProtocol", "NeuralNet", "ZeroMQ", "ServiceRuntime", .product(name: "Logging", package: "swift-log"),
        ], path: "Sources/Services/Parameters"),
        // Tensors, layers, autodiff and optimizers on OpenBLAS.
        // Vector square roots for the optimizers (the standard library's run a lane at a time).
        .target(name: "CVectorMath"),
        .target(name: "NeuralNet", dependencies: ["CBLAS", "CVectorMath", "CodedErrors", "JSONWriting"]),
        // Learning agents; they reach environments only through GymClient.
        .target(name: "Agents", dependencies: ["CodedErrors", "GymClient", "GymCore", "GymProtocol", "NeuralNet",
                                               .product(name: "Logging", package: "swift-log")]),
        // The server side of distributed training: the parameter service a learner is handed.
        .target(name: "DistributedRuntime", dependencies: [
            "Agents", "GymCore", "GymProtocol", "ParameterService", .product(name: "Logging", package: "swift-log"),
        ], path: "Sources/Distributed"),
        .executableTarget(name: "gym", dependencies: [
            "Agents", "DistributedRuntime", "Recorder", "BufferService", "ServiceRuntime", "JSONWriting",
            "GymCore", "GymProtocol", "GymServer", "GymClient", "GymPlugin", "ZeroMQ", "ImageFormats", "ClassicControl",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Yams", package: "Yams"),
        ]),

        // The network library's step timings, compared with PyTorch by scripts/bench-nn.
        .executableTarget(name: "NNBench", dependencies: ["NeuralNet"], path: "Benchmarks/NNBench"),
        // The replay buffer's add and sample timings and bytes per transition beside the float-pair layout.
        .executableTarget(name: "ReplayBench", dependencies: ["Agents", "GymCore", "NeuralNet"], path: "Benchmarks/ReplayBench"),
        // Fuzz harnesses (scripts/fuzz): libFuzzer binaries with -D FUZZING, corpus replayers without.
        .target(name: "FuzzSupport", dependencies: ["GymServer", "GymProtocol", "GymCore", "ClassicControl"], path: "Fuzz/Support"),
        .executableTarget(name: "FuzzRequestDecode", dependencies: ["FuzzSupport", "GymServer", "GymProtocol", "GymCore", "ClassicControl"],
                          path: "Fuzz/RequestDecode", exclude: ["corpus"]),
        .executableTarget(name: "FuzzStepReplyDecode", dependencies: ["FuzzSupport", "GymProtocol", "GymCore", "ClassicControl"],
                          path: "Fuzz/StepReplyDecode", exclude: ["corpus"]),
        .executableTarget(name: "FuzzBufferHandler", dependencies: ["FuzzSupport", "BufferService", "GymProtocol", "GymCore",
                                                                    .product(name: "Logging", package: "swift-log")],
                          path: "Fuzz/BufferHandler", exclude: ["corpus"]),
        .executableTarget(name: "FuzzParameterHandler", dependencies: ["FuzzSupport", "ParameterService", "GymProtocol", "GymCore",
                                                                       .product(name: "Logging", package: "swift-log")],
                          path: "Fuzz/ParameterHandler", exclude: ["corpus"]),
        .executableTarget(name: "FuzzEventDecode", dependencies: ["FuzzSupport", "Recorder", "GymProtocol", "GymCore"], path: "Fuzz/EventDecode", exclude: ["corpus"]),
        .executableTarget(name: "FuzzSafeTensorsLoad", dependencies: ["FuzzSupport", "Agents", "NeuralNet"], path: "Fuzz/SafeTensorsLoad", exclude: ["corpus"]),
        .executableTarget(name: "FuzzRecordingRead", dependencies: ["FuzzSupport", "Recorder", "GymProtocol", "GymCore"], path: "Fuzz/RecordingRead", exclude: ["corpus", "max_len"]),
        .executableTarget(name: "FuzzCheckpointRestore", dependencies: ["FuzzSupport", "BufferService", "GymProtocol", "GymCore",
                                                                        .product(name: "Logging", package: "swift-log")],
                          path: "Fuzz/CheckpointRestore", exclude: ["corpus"]),
        .executableTarget(name: "FuzzPluginValues", dependencies: ["FuzzSupport", "GymPlugin", "CGymPlugin", "GymCore"], path: "Fuzz/PluginValues", exclude: ["corpus"]),

        // Helpers shared by the test targets.
        .target(name: "GymTestSupport", dependencies: [.product(name: "Logging", package: "swift-log")], path: "Tests/Support"),

        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ"]),
        .testTarget(name: "GymCoreTests", dependencies: ["GymCore", "ImageFormats", "ClassicControl", "Flyer"], exclude: ["Fixtures"]),
        .testTarget(name: "GymServerTests", dependencies: ["GymServer", "GymProtocol", "ZeroMQ", "GymCore", "ClassicControl", "GymTestSupport",
                    .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "GymClientTests", dependencies: ["GymClient", "GymServer", "GymCore", "GymProtocol", "ZeroMQ", "ClassicControl", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "GymCLITests", dependencies: ["gym", "GymTestSupport", "Recorder", "BufferService", "GymProtocol", "GymCore"]),
        .testTarget(name: "PluginTests", dependencies: [
            "GymPlugin", "GymCore", "ClassicControl", "GymTestSupport", .product(name: "Logging", package: "swift-log"),
        ], exclude: ["Fixtures"]),
        .testTarget(name: "EnvironmentTests", dependencies: ["GymCore", "ClassicControl", "Flyer", "ImageFormats"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "AgentTests", dependencies: [
            "Agents", "GymClient", "GymServer", "GymCore", "ClassicControl", "Flyer", .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "BufferServiceTests", dependencies: [
            "BufferService", "GymClient", "GymCore", "GymProtocol", "GymTestSupport", "ZeroMQ", .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "RecorderTests", dependencies: [
            "Recorder", "GymServer", "GymClient", "GymCore", "GymProtocol", "ClassicControl", "ImageFormats", "GymTestSupport",
            "ServiceRuntime", "ZeroMQ", .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "DistributedTests", dependencies: ["gym", "GymClient", "GymCore", "GymProtocol", "GymTestSupport", "NeuralNet", "ZeroMQ"]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ParameterServiceTests", dependencies: ["ParameterService", "GymProtocol", "GymCore", "NeuralNet", "ZeroMQ"]),
        .testTarget(name: "SecurityTests", dependencies: [
            "gym", "GymClient", "GymServer", "GymCore", "GymProtocol", "ZeroMQ", "BufferService", "ParameterService", "Recorder", "ClassicControl",
            "GymTestSupport", .product(name: "Logging", package: "swift-log"), .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ]),
    ]
)

if let mujoco {
    // The headers for the C importer of every target that sees them, and libmujoco by its file
    // name (the wheel has no libmujoco.so link), found again at run time through the rpath.
    let headers: [String] = ["-Xcc", "-I\(mujoco.root)/include"]
    package.targets += [
        .target(name: "CMuJoCo", path: "Plugins/MuJoCo/CMuJoCo",
                cSettings: [.unsafeFlags(["-I\(mujoco.root)/include"]),
                            .define("GYM_MUJOCO_BUILD_ASSETS", to: "\"\(mujoco.assets)\"")],
                linkerSettings: [.unsafeFlags(["\(mujoco.root)/\(mujoco.library)", "-Xlinker", "-rpath", "-Xlinker", mujoco.root])]),
        // Gymnasium's MuJoCo v5 environments, and the entry point that makes them a plugin.
        .target(name: "MuJoCo", dependencies: ["CMuJoCo", "GymCore"], path: "Plugins/MuJoCo/Environments",
                swiftSettings: [.unsafeFlags(headers)]),
        .target(name: "MuJoCoPlugin", dependencies: ["MuJoCo", "GymPlugin"], path: "Plugins/MuJoCo/Entry",
                swiftSettings: [.unsafeFlags(headers)], linkerSettings: pluginLinkerSettings),
        // In-process steps/s against raw mj_step × frame_skip, and batched through a daemon (scripts/bench-mujoco).
        .executableTarget(name: "MuJoCoBench", dependencies: ["MuJoCo", "CMuJoCo", "GymCore", "GymPlugin", "GymServer", "GymClient",
                                                             .product(name: "Logging", package: "swift-log")], path: "Plugins/MuJoCo/Bench",
                          swiftSettings: [.unsafeFlags(headers)]),
        .testTarget(name: "MuJoCoTests", dependencies: ["MuJoCo", "GymCore", "GymPlugin"], exclude: ["Fixtures"],
                    swiftSettings: [.unsafeFlags(headers)]),
    ]
}
