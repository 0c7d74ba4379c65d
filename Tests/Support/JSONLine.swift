import Foundation

/// The JSON object one output line holds, or nil when the line is not one.
public func json(_ line: String) -> [String: Any]? {
    (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
}
