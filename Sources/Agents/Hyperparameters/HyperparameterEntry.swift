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
