/// What the declaration walk sees of a `Hyperparameter` whatever its value type.
protocol HyperparameterDeclaration {
    var help: String { get }
    var aliases: [String] { get }
    var text: String { get }
    var metadata: MetadataValue? { get }
    var valueName: String { get }
    /// Whether the value is a Bool, set by a bare `--flag` and cleared by `--no-flag`.
    var isFlag: Bool { get }
    /// Whether the value is optional, cleared by `--no-flag`.
    var isOptional: Bool { get }
    /// This declaration with its value read from `text`; nil if the text is not a value of its type.
    func replacing(text: String) -> (any HyperparameterDeclaration)?
}
