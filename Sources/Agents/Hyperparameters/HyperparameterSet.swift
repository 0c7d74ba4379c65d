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

/// One hyperparameter as a command line shows it.
public struct HyperparameterEntry: Sendable, Equatable {
    /// The flag without dashes, e.g. `learning-rate`.
    public var flag: String
    /// The key it is saved under, e.g. `learning_rate`.
    public var key: String
    /// Older spellings of the flag.
    public var aliases: [String]
    /// The help sentence.
    public var help: String
    /// The current value as text (`none` for an unset optional).
    public var value: String
    /// What a value looks like, e.g. `int`.
    public var valueName: String
    /// Whether it is a Bool flag (`--flag` / `--no-flag`).
    public var isFlag: Bool
    /// Whether `--no-flag` clears it to none.
    public var isOptional: Bool
}

/// A hyperparameter that cannot be set as asked.
public struct HyperparameterError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A sentence naming the flag and what is wrong.
    public let message: String
    public var description: String { message }
}

extension HyperparameterSet {
    public var problem: String? { nil }

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

/// Names derived from a property's: `doubleDQN` → flag `double-dqn`, key `double_dqn`.
enum HyperparameterName {
    static func key(_ property: String) -> String { words(property).joined(separator: "_") }
    static func flag(_ property: String) -> String { words(property).joined(separator: "-") }

    /// Splits camelCase at each lower-to-upper step and before the last capital of an acronym.
    private static func words(_ name: String) -> [String] {
        let characters = Array(name)
        var words: [String] = []
        var current = ""
        for (index, character) in characters.enumerated() {
            let previous = index > 0 ? characters[index - 1] : nil
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            let startsWord = character.isUppercase && previous != nil
                && (previous?.isLowercase == true || previous?.isNumber == true || next?.isLowercase == true)
            if startsWord, !current.isEmpty {
                words.append(current)
                current = ""
            }
            current.append(Character(character.lowercased()))
        }
        if !current.isEmpty { words.append(current) }
        return words
    }
}

/// Reads a set's declarations by reflection, nested sets flattened in place.
enum HyperparameterWalk {
    static func declarations(of set: any HyperparameterSet) -> [(String, any HyperparameterDeclaration)] {
        var found: [(String, any HyperparameterDeclaration)] = []
        for child in Mirror(reflecting: set).children {
            guard let label = child.label else { continue }
            if let declaration = child.value as? any HyperparameterDeclaration, label.hasPrefix("_") {
                found.append((String(label.dropFirst()), declaration))
            } else if let nested = child.value as? any HyperparameterSet {
                found += declarations(of: nested)
            }
        }
        return found
    }
}
