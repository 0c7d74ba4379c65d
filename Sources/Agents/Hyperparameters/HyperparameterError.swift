/// A hyperparameter that cannot be set as asked.
public struct HyperparameterError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A sentence naming the flag and what is wrong.
    public let message: String
    public var description: String { message }
}
