extension EnvSpec {
    /// Kwargs from `KEY=VALUE` words (the CLI's `--env-arg`, a config file's `env_args`), each
    /// value read as the type of the kwarg's default: a number, an integer, `true`/`false`, or
    /// text. A key the environment does not take, a word without `=` or a value of the wrong
    /// type is an `invalidArgument` error that lists what the environment accepts.
    public func arguments(_ words: [String]) throws -> ValueMap {
        var values: ValueMap = [:]
        for word in words {
            guard let equals = word.firstIndex(of: "=") else {
                throw GymError(.invalidArgument, "env argument '\(word.clippedForEcho())' is not KEY=VALUE; \(id) takes \(acceptedArguments)")
            }
            let key = String(word[..<equals])
            let text = String(word[word.index(after: equals)...])
            guard let example = kwargs[key] else {
                throw GymError(.invalidArgument, "\(id) takes no argument '\(key.clippedForEcho())'; it takes \(acceptedArguments)")
            }
            guard let value = Self.read(text, like: example) else {
                throw GymError(.invalidArgument,
                               "env argument \(key)=\(text.clippedForEcho()) is not \(Self.typeName(of: example)); \(id) takes \(acceptedArguments)")
            }
            values[key] = value
        }
        return values
    }

    /// The kwargs this environment accepts with their defaults' types, for error messages.
    public var acceptedArguments: String {
        guard !kwargs.isEmpty else { return "no arguments" }
        return kwargs.keys.sorted().map { "\($0) (\(Self.typeName(of: kwargs[$0] ?? .flag(false))))" }.joined(separator: ", ")
    }

    private static func read(_ text: String, like example: Value) -> Value? {
        switch example {
        case .number:
            guard let number = Double(text), number.isFinite else { return nil }
            return .number(number)
        case .integer: return Int64(text).map(Value.integer)
        case .flag:
            switch text.lowercased() {
            case "true", "1", "yes": return .flag(true)
            case "false", "0", "no": return .flag(false)
            default: return nil
            }
        case .text: return .text(text)
        case .array, .list, .map: return nil
        }
    }

    private static func typeName(of example: Value) -> String {
        switch example {
        case .number: return "a number"
        case .integer: return "an integer"
        case .flag: return "true or false"
        case .text: return "text"
        case .array, .list, .map: return "a structured value (not settable from text)"
        }
    }
}
