import CodedErrors

extension ErrorCode where Domain == ModuleErrors {
    /// The state dict lacks a parameter the module has.
    public static var missingParameter: Self { Self("missingParameter") }
    /// The state dict has a tensor the module does not.
    public static var unexpectedParameter: Self { Self("unexpectedParameter") }
    /// A tensor's shape differs from the parameter's.
    public static var shapeMismatch: Self { Self("shapeMismatch") }
    /// Images whose extents or bytes a network cannot take.
    public static var unsupportedImage: Self { Self("unsupportedImage") }
}

extension CodedError where Domain == ModuleErrors {
    /// The state dict lacks parameter `name`.
    public static func missingParameter(_ name: String) -> Self { Self(.missingParameter, "the state dict has no \(name)") }
    /// The state dict has a tensor `name` the module does not.
    public static func unexpectedParameter(_ name: String) -> Self { Self(.unexpectedParameter, "the module has no parameter \(name)") }
    /// Tensor `name` has shape `found` where the parameter has `expected`.
    public static func shapeMismatch(name: String, expected: [Int], found: [Int]) -> Self {
        Self(.shapeMismatch, "\(name) has shape \(found), the module's parameter \(expected)")
    }
    /// Images the network cannot take, and why.
    public static func unsupportedImage(_ why: String) -> Self { Self(.unsupportedImage, why) }
}

/// The failures of loading parameters into a module, or of images it cannot take.
public enum ModuleErrors: ErrorDomain {}

/// Why parameters could not be loaded into a module.
public typealias ModuleError = CodedError<ModuleErrors>
