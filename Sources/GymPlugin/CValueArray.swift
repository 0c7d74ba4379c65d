import CGymPlugin
import GymCore
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// C copies of named values that live as long as the owner: strings are duplicated and freed on deinit.
package final class CValueArray {
    package private(set) var values: [gym_value] = []
    private var strings: [UnsafeMutablePointer<CChar>] = []

    package init(_ map: ValueMap) {
        for (name, value) in map.sorted(by: { $0.key < $1.key }) {
            // A C string ends at its first NUL: such a name would reach the plugin as another
            // one (`seed\0x` as `seed`), such a text cut short. Neither crosses the ABI.
            guard !name.utf8.contains(0) else { continue }
            if case .text(let text) = value, text.utf8.contains(0) { continue }
            var entry = gym_value()
            entry.name = UnsafePointer(own(name))
            switch value {
            case .number(let number): entry.kind = Int32(GYM_VALUE_NUMBER); entry.number = number
            case .integer(let integer): entry.kind = Int32(GYM_VALUE_INTEGER); entry.integer = integer
            case .text(let text): entry.kind = Int32(GYM_VALUE_TEXT); entry.text = UnsafePointer(own(text))
            case .flag(let flag): entry.kind = Int32(GYM_VALUE_FLAG); entry.flag = flag ? 1 : 0
            case .array, .list, .map: continue
            }
            values.append(entry)
        }
    }

    private func own(_ text: String) -> UnsafeMutablePointer<CChar> {
        guard let copy = strdup(text) else { fatalError("out of memory copying a plugin value") }
        strings.append(copy)
        return copy
    }

    deinit { strings.forEach { free($0) } }
}
