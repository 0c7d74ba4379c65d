/// One hyperparameter, declared once: the property's name gives its flag (`learningRate` →
/// `--learning-rate`) and its saved key (`learning_rate`), its initial value is the default, and
/// the wrapper carries the help text and any older spellings of the flag.
///
/// ```swift
/// @Hyperparameter("Adam's learning rate.") public var learningRate = 1e-3
/// ```
@propertyWrapper
public struct Hyperparameter<Value: HyperparameterValue>: Sendable {
    /// The value.
    public var wrappedValue: Value
    /// One sentence for `--help`.
    public let help: String
    /// Other flag names that set it (without dashes), e.g. `alpha` for an older spelling.
    public let aliases: [String]

    /// Declares a hyperparameter with its default (the initial value), help text and aliases.
    public init(wrappedValue: Value, _ help: String, aliases: [String] = []) {
        self.wrappedValue = wrappedValue
        self.help = help
        self.aliases = aliases
    }
}

extension Hyperparameter: Codable {
    /// Encodes the bare value, so a saved configuration reads `"learning_rate": 0.001`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue)
    }

    /// Decodes a bare value (help and aliases are the declaration's, not the file's).
    public init(from decoder: any Decoder) throws {
        self.init(wrappedValue: try decoder.singleValueContainer().decode(Value.self), "")
    }
}

extension Optional: OptionalHyperparameterValue {}

extension Hyperparameter: HyperparameterDeclaration {
    var text: String { wrappedValue.hyperparameterText }
    var metadata: MetadataValue? { wrappedValue.metadata }
    var valueName: String { Value.valueName }
    var isFlag: Bool { Value.self == Bool.self }
    var isOptional: Bool { Value.self is any OptionalHyperparameterValue.Type }

    func replacing(text: String) -> (any HyperparameterDeclaration)? {
        guard let value = Value(hyperparameterText: text) else { return nil }
        var copy = self
        copy.wrappedValue = value
        return copy
    }
}
