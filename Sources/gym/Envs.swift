import ArgumentParser
import GymCore

extension Gym {
    /// `gym envs`: what a daemon can make.
    struct Envs: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List environments with their spaces and time limits.")

        @OptionGroup var server: ServerOptions

        @Flag(help: "Print one JSON object instead of a table.")
        var json = false

        func run() throws {
            let (connection, embedded) = try server.connect(clientName: "gym envs")
            defer { embedded?.shutdown() }
            let specs = try connection.listEnvs()
            if json {
                print(JSONText.object([("envs", .array(specs.map(Self.json)))]).rendered)
                return
            }
            for spec in specs {
                let limit = spec.maxEpisodeSteps.map(String.init) ?? "none"
                print("\(spec.id)")
                print("  observation: \(spec.observationSpace.summary)")
                print("  action:      \(spec.actionSpace.summary)")
                print("  max_episode_steps: \(limit)  reward_threshold: \(spec.rewardThreshold.map { "\($0)" } ?? "none")")
            }
        }

        static func json(_ spec: EnvSpec) -> JSONText {
            .object([
                ("id", .string(spec.id)),
                ("observation_space", space(spec.observationSpace)),
                ("action_space", space(spec.actionSpace)),
                ("max_episode_steps", spec.maxEpisodeSteps.map { .int(Int64($0)) } ?? .null),
                ("reward_threshold", spec.rewardThreshold.map(JSONText.double) ?? .null),
                ("kwargs", .array(spec.kwargs.keys.sorted().map(JSONText.string))),
                ("description", .string(spec.description)),
            ])
        }

        static func space(_ space: Space) -> JSONText {
            switch space {
            case .discrete(let n, let start):
                return .object([("type", .string("Discrete")), ("n", .int(n)), ("start", .int(start))])
            case .box(let low, let high, let shape, let dtype):
                return .object([
                    ("type", .string("Box")), ("shape", .array(shape.map { .int(Int64($0)) })), ("dtype", .string(dtype.rawValue)),
                    ("low", .array(low.map { JSONText.float(Float($0)) })), ("high", .array(high.map { JSONText.float(Float($0)) })),
                ])
            case .multiDiscrete(let nvec, let start):
                return .object([("type", .string("MultiDiscrete")), ("nvec", .array(nvec.map(JSONText.int))), ("start", .array(start.map(JSONText.int)))])
            case .multiBinary(let shape):
                return .object([("type", .string("MultiBinary")), ("shape", .array(shape.map { .int(Int64($0)) }))])
            case .dict(let entries):
                return .object([("type", .string("Dict")), ("spaces", .object(entries.map { ($0.key, Self.space($0.space)) }))])
            case .tuple(let spaces):
                return .object([("type", .string("Tuple")), ("spaces", .array(spaces.map(Self.space)))])
            }
        }
    }
}
