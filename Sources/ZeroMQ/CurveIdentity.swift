/// The user ids the ZAP handler gives connections (`ZAPAuthenticator`): `curve:` and the key
/// for a CURVE client, `conn:N` for one connection without CURVE.
public enum CurveIdentity {
    /// The prefix of a CURVE client's user id.
    public static let keyPrefix: [UInt8] = Array("curve:".utf8)

    /// Whether `userID` names a CURVE key (one identity across connections), not one connection.
    public static func isKey(_ userID: [UInt8]?) -> Bool {
        guard let userID else { return false }
        return userID.starts(with: keyPrefix)
    }
}
