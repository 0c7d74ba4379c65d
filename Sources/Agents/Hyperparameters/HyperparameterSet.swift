/// An algorithm's hyperparameters: a struct of `@Hyperparameter` properties (and nested sets,
/// whose names join the same flat namespace). Each property is the single declaration of its
/// flag, help text, default and saved key; the command line, configuration files and policy
/// metadata all read it from there.
public protocol HyperparameterSet: Codable, Sendable {
    /// The defaults.
    init()
    /// Why these values cannot run, or nil.
    var problem: String? { get }
}

extension HyperparameterSet {
    public var problem: String? { nil }

    /// These values, if they can run; else the problem as an `invalidArgument` error.
    public func checked() throws -> Self {
        if let problem { throw AgentError(.invalidArgument, problem) }
        return self
    }

    /// Every hyperparameter in declaration order, nested sets in place.
    public var entries: [HyperparameterEntry] {
        HyperparameterWalk.declarations(of: self).map { name, declaration in
            HyperparameterEntry(flag: HyperparameterName.flag(name), key: HyperparameterName.key(name), aliases: declaration.aliases,
                                help: declaration.help, value: declaration.text, valueName: declaration.valueName,
                                isFlag: declaration.isFlag, isOptional: declaration.isOptional)
        }
    }

    /// The values as saved with a policy, by snake_case key (unset optionals left out).
    public var hyperparameters: [String: MetadataValue] {
        var values: [String: MetadataValue] = [:]
        for (name, declaration) in HyperparameterWalk.declarations(of: self) {
            if let metadata = declaration.metadata { values[HyperparameterName.key(name)] = metadata }
        }
        return values
    }

    /// These values with some replaced: `texts` maps flag names (`learning-rate`, or an alias, or
    /// the saved key `learning_rate`) to values as text. Unknown names and unreadable values throw.
    public func setting(_ texts: [String: String]) throws -> Self {
        let entries = self.entries
        var byFlag: [String: String] = [:]
        for (name, text) in texts {
            guard let entry = entries.first(where: { $0.flag == name || $0.key == name || $0.aliases.contains(name) }) else {
                throw HyperparameterError(message: "unknown hyperparameter \(name)")
            }
            byFlag[entry.flag] = text
        }
        return try Self(from: HyperparameterDecoder(defaults: self, texts: byFlag, codingPath: []))
    }

    /// These values with command-line words applied: `--name value`, `--name=value`, a bare
    /// `--flag` or `--no-flag` for Bool flags, and `--no-name` to clear an optional one.
    public func parsing(_ words: [String]) throws -> Self {
        let entries = self.entries
        func entry(_ name: String) -> HyperparameterEntry? {
            entries.first { $0.flag == name || $0.aliases.contains(name) }
        }
        var texts: [String: String] = [:]
        var index = 0
        while index < words.count {
            let word = words[index]
            index += 1
            guard word.hasPrefix("--"), word.count > 2 else {
                throw HyperparameterError(message: "unexpected argument '\(word)'")
            }
            var name = String(word.dropFirst(2))
            var value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            if let found = entry(name) {
                if found.isFlag && value == nil {
                    value = "true"
                } else if value == nil {
                    guard index < words.count else { throw HyperparameterError(message: "missing value for '--\(name)'") }
                    value = words[index]
                    index += 1
                }
                texts[found.flag] = value
            } else if name.hasPrefix("no-"), let found = entry(String(name.dropFirst(3))), value == nil, found.isFlag || found.isOptional {
                texts[found.flag] = found.isFlag ? "false" : "none"
            } else {
                throw HyperparameterError(message: "unknown option '--\(name)'")
            }
        }
        return try setting(texts)
    }
}
