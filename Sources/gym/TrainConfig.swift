import Foundation
import GymCore
import Yams

/// A run's settings from a YAML file (`gym train ALGO --config FILE`, or a preset): a mapping
/// of hyperparameters by name (`learning_rate: 0.001`, or the flag's spelling
/// `learning-rate`; lists as YAML sequences, `hidden_sizes: [64, 64]`), plus `env`, `seed`,
/// `env_args` (a mapping, as `--env-arg`) and `algo` (which must be the command's). Flags
/// given on the command line override the file.
struct TrainConfig: Equatable {
    /// The file, as named in messages.
    var file: String
    /// Hyperparameter values as text, by the name the file used.
    var hyperparameters: [String: String] = [:]
    var env: String?
    var seed: UInt64?
    /// `env_args` as `KEY=VALUE` words, in the file's order.
    var envArguments: [String] = []

    /// The largest file read: a settings file is a page, not a data set.
    static let maxBytes = 1 << 20

    /// Reads `path` for `algo`'s command; anything that is not such a file is an error naming
    /// the file and what is wrong.
    static func load(_ path: String, algo: String) throws -> TrainConfig {
        let url = URL(fileURLWithPath: path)
        guard let handle = try? FileHandle(forReadingFrom: url) else { throw TrainConfigError("\(path): cannot be read") }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: maxBytes + 1)) ?? Data()
        guard data.count <= maxBytes else { throw TrainConfigError("\(path): larger than \(maxBytes) bytes") }
        guard let text = String(data: data, encoding: .utf8) else { throw TrainConfigError("\(path): not UTF-8 text") }
        return try parse(text, file: path, algo: algo)
    }

    /// Reads `text` as the file `file`.
    static func parse(_ text: String, file: String, algo: String) throws -> TrainConfig {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            let first = String(describing: error).split(separator: "\n").first.map(String.init) ?? "unreadable"
            throw TrainConfigError("\(file): not YAML (\(first.clippedForEcho()))")
        }
        var config = TrainConfig(file: file)
        guard let root else { return config }
        guard let mapping = root.mapping else { throw TrainConfigError("\(file): expected a mapping of settings at the top") }
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else { throw TrainConfigError("\(file): a key that is not text") }
            let name = key.clippedForEcho()
            switch key {
            case "algo":
                guard let named = value.scalar?.string else { throw TrainConfigError("\(file): algo must be text") }
                guard named == algo else { throw TrainConfigError("\(file) is for \(named.clippedForEcho()), not \(algo)") }
            case "env":
                guard let env = value.scalar?.string, !env.isEmpty else { throw TrainConfigError("\(file): env must be an environment id") }
                config.env = env
            case "seed":
                guard let seed = value.scalar.flatMap({ UInt64($0.string) }) else {
                    throw TrainConfigError("\(file): seed must be a whole number from 0 to \(UInt64.max)")
                }
                config.seed = seed
            case "env_args", "env-args":
                guard let arguments = value.mapping else { throw TrainConfigError("\(file): env_args must be a mapping of KEY: VALUE") }
                for (argument, argumentValue) in arguments {
                    guard let argumentKey = argument.scalar?.string, let text = argumentValue.scalar?.string else {
                        throw TrainConfigError("\(file): env_args holds a value that is not a single number, flag or text")
                    }
                    config.envArguments.append("\(argumentKey)=\(text)")
                }
            default:
                config.hyperparameters[key] = try hyperparameterText(value, name: name, file: file)
            }
        }
        return config
    }

    /// A hyperparameter's value as the flag would take it: a scalar as is, a sequence of
    /// scalars joined by commas.
    private static func hyperparameterText(_ value: Node, name: String, file: String) throws -> String {
        if let scalar = value.scalar { return scalar.string }
        if let sequence = value.sequence {
            let items = sequence.map { $0.scalar?.string }
            guard !items.isEmpty, items.allSatisfy({ $0 != nil }) else {
                throw TrainConfigError("\(file): \(name) must be a value or a list of values")
            }
            return items.compactMap { $0 }.joined(separator: ",")
        }
        throw TrainConfigError("\(file): \(name) must be a value or a list of values, not a mapping")
    }
}

/// A settings file that cannot be used, with the file and the reason in the message.
struct TrainConfigError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
