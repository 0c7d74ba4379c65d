/// A family of errors: an empty type that names it, so each family's codes and errors are types of their own.
public protocol ErrorDomain: Sendable {}

/// One kind of failure of `Domain`. A struct around a name rather than an enum, so a family can
/// gain codes without breaking any caller's `switch` (which matches codes as values and keeps a
/// `default:`), as `ZMQError.Code` does.
public struct ErrorCode<Domain: ErrorDomain>: Hashable, Sendable, CustomStringConvertible {
    /// The code's name, as logs and messages show it.
    public let description: String

    /// A code called `name`; each family declares its codes once, as static members.
    public init(_ name: String) { description = name }
}

/// An error of `Domain`: what kind of failure, and a sentence for a person. Every module's error
/// type is one of these (`GymError`, `AgentError`, `SafeTensorsError`, …), so they share one
/// shape, and two errors are equal when code and message are.
public struct CodedError<Domain: ErrorDomain>: Error, Equatable, Sendable, CustomStringConvertible {
    /// The family's codes.
    public typealias Code = ErrorCode<Domain>

    /// The kind of failure.
    public let code: Code
    /// What went wrong, for a person.
    public let message: String

    /// An error of kind `code`.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}
