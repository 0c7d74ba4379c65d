import ArgumentParser
import GymCore

/// `--env-arg KEY=VALUE`, shared by every command that makes environments.
struct EnvArgumentOptions: ParsableArguments {
    @Option(name: .customLong("env-arg"), help: ArgumentHelp("""
    An argument of the environment, KEY=VALUE, typed as the environment's default for KEY (repeatable; `gym envs --json` lists them).
    """, valueName: "key=value"))
    var words: [String] = []

    /// The arguments read against `spec`'s kwargs; a wrong key or type is a usage error listing
    /// the valid ones.
    func kwargs(for spec: EnvSpec) throws -> ValueMap { try Self.kwargs(words, for: spec) }

    /// `words` read against `spec`'s kwargs, as `kwargs(for:)`.
    static func kwargs(_ words: [String], for spec: EnvSpec) throws -> ValueMap {
        do {
            return try spec.arguments(words)
        } catch let error as GymError {
            throw ValidationError(error.message)
        }
    }

    /// The arguments for `env` as `connection`'s daemon describes it.
    func kwargs(for env: String, specs: [EnvSpec]) throws -> ValueMap {
        guard !words.isEmpty else { return [:] }
        guard let spec = specs.first(where: { $0.id == env }) else { return [:] }
        return try kwargs(for: spec)
    }
}
