/// JSON string literals, written the one way every module that writes JSON by hand needs them
/// (the CLI's summaries, the recorder's values, safetensors headers, the HTML player's data).
public enum JSONString {
    /// `text` as a JSON string literal: quotes and backslashes escaped, `\n`, `\r` and `\t` by
    /// name, other control characters as `\u00XX`; with `forHTML`, `<` as `\u003c` too, so the
    /// literal can sit inside a `<script>` element.
    public static func quoted(_ text: String, forHTML: Bool = false) -> String {
        var out = ""
        append(text, to: &out, forHTML: forHTML)
        return out
    }

    /// Appends `text` as a JSON string literal to `out` (see `quoted`).
    public static func append(_ text: String, to out: inout String, forHTML: Bool = false) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<" where forHTML: out += "\\u003c"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
