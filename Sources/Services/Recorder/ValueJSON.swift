import Foundation
import GymCore
import JSONWriting

/// Values as JSON text for the recording's kwargs, options and infos columns. Doubles always
/// carry a '.' or an exponent, so a reader can tell them from integers.
public enum ValueJSON {
    /// A value map as a JSON object with sorted keys.
    public static func text(_ map: ValueMap) -> String {
        var out = ""
        write(.map(map), into: &out)
        return out
    }

    /// One value as JSON.
    public static func write(_ value: Value, into out: inout String) {
        switch value {
        case .number(let number): out += double(number)
        case .integer(let integer): out += String(integer)
        case .text(let text): quote(text, into: &out)
        case .flag(let flag): out += flag ? "true" : "false"
        case .array(let array):
            out += "["
            out += array.doubles.map(double).joined(separator: ",")
            out += "]"
        case .list(let values):
            out += "["
            for (index, element) in values.enumerated() {
                if index > 0 { out += "," }
                write(element, into: &out)
            }
            out += "]"
        case .map(let entries):
            out += "{"
            for (index, key) in entries.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                quote(key, into: &out)
                out += ":"
                write(entries[key] ?? .flag(false), into: &out)
            }
            out += "}"
        }
    }

    static func double(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "Infinity" : "-Infinity") }
        let text = value.description
        return text.contains(".") || text.contains("e") ? text : text + ".0"
    }

    static func quote(_ text: String, into out: inout String) { JSONString.append(text, to: &out) }

    /// Parses a JSON object written by `text` back into values (numbers with a '.' or exponent
    /// become `.number`, others `.integer`).
    public static func parse(_ text: String) throws -> ValueMap {
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.allowFragments]) as? [String: Any] else {
            throw GymError(.malformed, "expected a JSON object, got \(text.prefix(60))")
        }
        return try object.mapValues(value)
    }

    private static func value(_ any: Any) throws -> Value {
        switch any {
        case let number as NSNumber:
            let type = String(cString: number.objCType)
            if type == "c" || type == "B" { return .flag(number.boolValue) }
            return type == "d" || type == "f" ? .number(number.doubleValue) : .integer(number.int64Value)
        case let text as String: return .text(text)
        case let list as [Any]: return .list(try list.map(value))
        case let map as [String: Any]: return .map(try map.mapValues(value))
        default: throw GymError(.malformed, "unsupported JSON value \(any)")
        }
    }
}
