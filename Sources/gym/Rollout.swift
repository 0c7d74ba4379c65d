import ArgumentParser
import Foundation
import GymClient
import GymCore
import ImageFormats

extension Gym {
    /// `gym rollout`: one episode, printed step by step as JSON lines.
    struct Rollout: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Play one episode and print it as JSON lines.",
            discussion: """
            The first line is {"reset": {"obs": [...]}}, then one line per step: \
            {"t": 1, "action": A, "obs": [...], "reward": R, "terminated": B, "truncated": B}. \
            Float32 observations print in their shortest exact form, rewards as float64. \
            The rollout stops at the end of the episode.
            """)

        @Option(help: "Environment id, e.g. CartPole-v1.")
        var env: String

        @Option(help: "Seed for reset (and for --random's action sampler).")
        var seed: UInt64

        @Option(help: ArgumentHelp("JSON array of actions: ints for Discrete, arrays of numbers for Box.", valueName: "file"))
        var actionsFile: String?

        @Flag(help: "Sample random actions instead of reading them from a file.")
        var random = false

        @Option(help: "Most steps to take.")
        var steps: Int?

        @Option(help: ArgumentHelp("Write the last frame of the episode to this PNG file.", valueName: "file"))
        var renderLast: String?

        @Flag(help: "Print a JSON summary as the last line.")
        var json = false

        @OptionGroup var envArguments: EnvArgumentOptions

        @OptionGroup var server: ServerOptions

        func validate() throws {
            guard (actionsFile != nil) != random else { throw ValidationError("give exactly one of --actions-file FILE and --random") }
            if let steps, steps < 0 { throw ValidationError("--steps must not be negative") }
        }

        func run() throws {
            let actions = try actionsFile.map(Self.readActions)
            let (connection, embedded) = try server.connect(clientName: "gym rollout")
            defer { embedded?.shutdown() }
            let kwargs = envArguments.words.isEmpty ? [:] : try envArguments.kwargs(for: env, specs: try connection.listEnvs())
            let environment = try RemoteEnv(connection: connection, id: env, kwargs: kwargs)
            defer { try? environment.close() }
            let actionSpace = environment.spec.actionSpace
            var sampler = NumPyGenerator(seed: seed)
            let (observation, _) = try environment.reset(seed: seed)
            print(JSONText.object([("reset", .object([("obs", JSONText(leaves: observation))]))]).rendered)
            var total = 0.0
            var t = 0
            var last: RemoteEnv.Step?
            // The file's actions run out before --steps does: the episode stops with them.
            let limit = min(steps ?? Int.max, actions?.count ?? Int.max)
            while t < limit {
                let action: NDArray
                if let actions {
                    action = try Self.array(actions[t], for: actionSpace, index: t, file: actionsFile ?? "")
                } else {
                    action = NDArray(dtype: actionSpace.dtype, shape: actionSpace.shape, bytes: actionSpace.sample(using: &sampler))
                }
                let result = try environment.step([action])
                t += 1
                total += result.reward
                last = result
                print(JSONText.object([
                    ("t", .int(Int64(t))), ("action", JSONText(action)), ("obs", JSONText(leaves: result.observation)),
                    ("reward", .double(result.reward)), ("terminated", .bool(result.terminated)), ("truncated", .bool(result.truncated)),
                ]).rendered)
                if result.terminated || result.truncated { break }
            }
            if let renderLast {
                try PNGEncoder.write(try environment.render(), to: renderLast)
                FileHandle.standardError.write(Data("wrote the last frame to \(renderLast)\n".utf8))
            }
            if json {
                print(JSONText.object([
                    ("env", .string(env)), ("seed", .int(Int64(bitPattern: seed))), ("steps", .int(Int64(t))), ("return", .double(total)),
                    ("terminated", .bool(last?.terminated ?? false)), ("truncated", .bool(last?.truncated ?? false)),
                ]).rendered)
            }
        }

        /// The largest actions file read, in bytes.
        static let maxActionsFileBytes = 64 << 20

        static func readActions(_ path: String) throws -> [Any] {
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            guard size <= maxActionsFileBytes else {
                throw InputFileError(path, "\(size) bytes, more than the \(maxActionsFileBytes) an actions file may have")
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw InputFileError(path, "cannot read this actions file")
            }
            guard let actions = try? JSONSerialization.jsonObject(with: data) as? [Any] else {
                throw InputFileError(path, "an actions file must hold a JSON array of actions")
            }
            return actions
        }

        static func array(_ value: Any, for space: Space, index: Int, file: String) throws -> NDArray {
            switch space {
            case .discrete:
                guard let number = value as? NSNumber, let integer = Int64(exactly: number.doubleValue) else {
                    throw InputFileError(file, "action \(index) must be an integer for \(space.summary), got \(String(describing: value).clippedForEcho())")
                }
                return try inSpace(NDArray(dtype: .int64, shape: [], values: [Double(integer)]), space, index: index, file: file)
            default:
                let numbers = (value as? [Any])?.compactMap { ($0 as? NSNumber)?.doubleValue } ?? ((value as? NSNumber).map { [$0.doubleValue] } ?? [])
                guard numbers.count == space.elementCount, space.leaves.count == 1 else {
                    throw InputFileError(file, "action \(index) must be an array of \(space.elementCount) number(s) for \(space.summary), got \(String(describing: value).clippedForEcho())")
                }
                // Integer actions (MultiDiscrete, MultiBinary, integer boxes) must be whole numbers the dtype holds.
                if space.dtype != .float32, space.dtype != .float64,
                   !numbers.allSatisfy({ $0.isFinite && $0.rounded() == $0 && abs($0) <= 9.0e15 }) {
                    throw InputFileError(file, "action \(index) must hold whole numbers for \(space.summary), got \(String(describing: value).clippedForEcho())")
                }
                return try inSpace(NDArray(dtype: space.dtype, shape: space.shape, values: numbers), space, index: index, file: file)
            }
        }

        /// `action`, once it lies in `space`: an action the daemon would refuse is the file's fault, named.
        static func inSpace(_ action: NDArray, _ space: Space, index: Int, file: String) throws -> NDArray {
            if let (_, element) = action.bytes.withUnsafeBytes({ space.firstOutOfRange($0, count: 1) }) {
                let value = action.bytes.withUnsafeBytes { action.dtype.load($0, at: element) }
                throw InputFileError(file, "action \(index) lies outside \(space.summary): element \(element) is \(value)")
            }
            return action
        }
    }
}
