import CodedErrors

extension ErrorCode where Domain == AgentErrors {
    /// The environment's spaces are not ones this algorithm handles.
    public static var unsupportedEnvironment: Self { Self("unsupported environment") }
    /// An argument is out of range or inconsistent with the environment.
    public static var invalidArgument: Self { Self("invalid argument") }
    /// A policy file is missing, malformed, or does not fit the environment.
    public static var policyFile: Self { Self("policy file") }
    /// A log or output file could not be written.
    public static var io: Self { Self("i/o") }
}

/// The failures of a training or evaluation run.
public enum AgentErrors: ErrorDomain {}

/// Why a training or evaluation run could not go on.
public typealias AgentError = CodedError<AgentErrors>
