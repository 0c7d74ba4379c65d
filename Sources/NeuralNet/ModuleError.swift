/// Why parameters could not be loaded into a module.
///
/// The code is a struct around a private enum (as `ZMQError.Code`), so a new code breaks no
/// caller's `switch`; the factories keep `throw .missingParameter(name)` reading as before.
/// Two errors are equal when their code and message are.
public struct ModuleError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case missingParameter, unexpectedParameter, shapeMismatch
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The state dict lacks a parameter the module has.
        public static let missingParameter = Code(.missingParameter)
        /// The state dict has a tensor the module does not.
        public static let unexpectedParameter = Code(.unexpectedParameter)
        /// A tensor's shape differs from the parameter's.
        public static let shapeMismatch = Code(.shapeMismatch)

        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// What was wrong, for a person.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The state dict lacks parameter `name`.
    public static func missingParameter(_ name: String) -> ModuleError {
        ModuleError(.missingParameter, "the state dict has no \(name)")
    }
    /// The state dict has a tensor `name` the module does not.
    public static func unexpectedParameter(_ name: String) -> ModuleError {
        ModuleError(.unexpectedParameter, "the module has no parameter \(name)")
    }
    /// Tensor `name` has shape `found` where the parameter has `expected`.
    public static func shapeMismatch(name: String, expected: [Int], found: [Int]) -> ModuleError {
        ModuleError(.shapeMismatch, "\(name) has shape \(found), the module's parameter \(expected)")
    }

    public var description: String { "\(code): \(message)" }
}
