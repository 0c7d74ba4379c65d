/// Why a training or evaluation run could not go on.
///
/// A struct around an open set of codes (not an enum), so adding a code breaks no caller's `switch`.
public struct AgentError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        /// The environment's spaces are not ones this algorithm handles.
        public static let unsupportedEnvironment = Code(name: "unsupported environment")
        /// An argument is out of range or inconsistent with the environment.
        public static let invalidArgument = Code(name: "invalid argument")
        /// A policy file is missing, malformed, or does not fit the environment.
        public static let policyFile = Code(name: "policy file")
        /// A log or output file could not be written.
        public static let io = Code(name: "i/o")
        /// The code's name, as printed.
        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// What happened, for a person.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message, prefixed with its code.
    public var description: String { "\(code): \(message)" }
}
