import CodedErrors

extension ErrorCode where Domain == CurveErrors {
    /// A key file is missing, unreadable, too large, or does not hold a well-formed key.
    public static var keyFile: Self { Self("key file") }
    /// A key is not 40 Z85 characters decoding to 32 bytes.
    public static var malformedKey: Self { Self("malformed key") }
    /// A socket would leave the host without CURVE, and nobody said `--insecure`.
    public static var insecureEndpoint: Self { Self("insecure endpoint") }
    /// CURVE settings are incomplete: a client key without the server's, or the reverse.
    public static var incompleteSettings: Self { Self("incomplete settings") }
}

/// The failures of reading keys and securing sockets.
public enum CurveErrors: ErrorDomain {}

/// Why a key could not be read or a socket could not be secured.
public typealias CurveError = CodedError<CurveErrors>
