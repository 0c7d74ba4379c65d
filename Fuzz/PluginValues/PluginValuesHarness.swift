// A libFuzzer harness for the plugin C ABI's value conversions (issue 13, item 6): each input
// describes what a plugin could hand the daemon (a space description, named values, an error
// buffer) and what the daemon hands a plugin (named values it copies into C), read through
// CValues and CValueArray; a space that converts must then describe itself and sample
// without trapping, and values that round-trip must come back equal.
import CGymPlugin
import Foundation
import FuzzSupport
import GymCore
import GymPlugin

/// Most box elements the harness backs with memory: the ABI says a plugin passes prod(shape)
/// bounds, so a larger box is only tried where the conversion must refuse it unread.
let maxBackedElements = 1 << 16

/// `count` entries the harness keeps alive for the call, read from the input.
func withBuffer<T, R>(_ count: Int, _ element: () -> T, _ body: (UnsafePointer<T>) -> R) -> R {
    let values = (0..<max(1, count)).map { _ in element() }
    return values.withUnsafeBufferPointer { body($0.baseAddress!) }
}

func runSpace(_ reader: inout FuzzReader) {
    let kind = Int32(reader.byte() % 6)
    let dtype = Int32(Int8(bitPattern: reader.byte()))
    let ndim = Int32(Int8(bitPattern: reader.byte()))
    let dims = (0..<max(0, min(Int(ndim), 20))).map { _ -> Int64 in
        // Mostly small dimensions, sometimes any 64-bit value.
        let raw = reader.integer(Int64.self)
        return reader.byte() & 1 == 0 ? raw % 9 : raw
    }
    let n = reader.integer(Int64.self), start = reader.integer(Int64.self)
    var product: Int64? = 1
    for dim in dims { product = product.flatMap { dim < 0 ? nil : $0.multipliedReportingOverflow(by: dim).overflow ? nil : $0 * dim } }
    let count = product.map { Int($0) } ?? 0
    let backed = (product != nil && count <= maxBackedElements) ? count : 1
    if product != nil, count > maxBackedElements, count <= CValues.maxElements { return }
    let bounds = (0..<backed).map { _ in reader.double() }
    let integers = (0..<backed).map { _ in reader.integer(Int64.self) % 1000 }
    let hasStarts = reader.byte() & 1 == 1
    dims.withUnsafeBufferPointer { shape in
        bounds.withUnsafeBufferPointer { low in
            integers.withUnsafeBufferPointer { nvec in
                var c = gym_space()
                c.kind = kind
                c.dtype = dtype
                c.ndim = ndim
                c.shape = dims.isEmpty ? nil : shape.baseAddress
                c.low = low.baseAddress
                c.high = low.baseAddress
                c.n = n
                c.start = start
                c.nvec = nvec.baseAddress
                c.starts = hasStarts ? nvec.baseAddress : nil
                // As the plugin loader does: converted, then validated, then used like any other.
                guard let space = try? CValues.space(c), space.validationProblem == nil else { return }
                _ = space.summary
                _ = space.byteCount
                _ = space.elementCount
                var random = NumPyGenerator(seed: 1)
                if space.byteCount <= 1 << 20 { _ = space.sample(using: &random) }
            }
        }
    }
}

func runValues(_ reader: inout FuzzReader) {
    let entries = Int(reader.byte() % 8)
    var owned: [UnsafeMutablePointer<CChar>] = []
    defer { owned.forEach { free($0) } }
    func own(_ text: String) -> UnsafePointer<CChar>? { strdup(text).map { owned.append($0); return UnsafePointer($0) } }
    let values: [gym_value] = (0..<entries).map { _ in
        var value = gym_value()
        value.kind = Int32(Int8(bitPattern: reader.byte()) % 6)
        value.name = reader.byte() & 3 == 0 ? nil : own(reader.string())
        value.number = reader.double()
        value.integer = reader.integer(Int64.self)
        value.text = reader.byte() & 3 == 0 ? nil : own(reader.string())
        value.flag = Int32(reader.byte())
        return value
    }
    // The count a plugin claims never exceeds what it passes; a negative one is possible.
    let claimed = Int32(Int8(bitPattern: reader.byte()))
    values.withUnsafeBufferPointer { buffer in
        _ = CValues.valueMap(buffer.baseAddress, count: min(claimed, Int32(entries)))
        for value in buffer { _ = CValues.value(value) }
    }
}

func runRoundTrip(_ reader: inout FuzzReader) {
    var map: ValueMap = [:]
    for _ in 0..<Int(reader.byte() % 8) {
        let name = reader.string()
        switch reader.byte() % 5 {
        case 0: map[name] = .number(reader.double())
        case 1: map[name] = .integer(reader.integer(Int64.self))
        case 2: map[name] = .text(reader.string())
        case 3: map[name] = .flag(reader.byte() & 1 == 1)
        default: map[name] = .list([.integer(1)])
        }
    }
    let copies = CValueArray(map)
    let back = copies.values.withUnsafeBufferPointer { CValues.valueMap($0.baseAddress, count: Int32($0.count)) }
    // Names and texts holding a NUL, and lists, do not cross the ABI: compare the rest, and
    // check that nothing else came back.
    let crossing = map.filter { name, value in
        guard !name.utf8.contains(0) else { return false }
        switch value {
        case .text(let text): return !text.utf8.contains(0)
        case .number, .integer, .flag: return true
        default: return false
        }
    }
    if back.count != crossing.count { fatalError("\(crossing.count) values went into the plugin ABI, \(back.count) came back") }
    for (name, value) in crossing {
        let returned = back[name]
        if case .number(let number) = value, number.isNaN, case .number(let other)? = returned, other.isNaN { continue }
        if returned != value { fatalError("value \(name) crossed the plugin ABI as \(String(describing: returned)), not \(value)") }
    }
}

func runText(_ reader: inout FuzzReader) {
    let bytes = (0..<Int(reader.byte())).map { _ in CChar(bitPattern: reader.byte()) }
    _ = CValues.text(bytes)
    let capacity = Int(reader.byte() % 64)
    var buffer = [CChar](repeating: 0x55, count: max(1, capacity))
    let message = reader.string()
    buffer.withUnsafeMutableBufferPointer { CValues.write(message, to: $0.baseAddress, capacity: capacity) }
    if capacity > 0, !buffer.prefix(capacity).contains(0) { fatalError("an error message left a buffer of \(capacity) unterminated") }
}

func runPluginValuesInput(_ bytes: [UInt8]) {
    var reader = FuzzReader(bytes)
    while !reader.isAtEnd {
        switch reader.byte() % 4 {
        case 0: runSpace(&reader)
        case 1: runValues(&reader)
        case 2: runRoundTrip(&reader)
        default: runText(&reader)
        }
    }
}

/// Inputs of every kind: spaces of each kind, named values, a round trip and an error buffer.
func pluginValuesSeeds() -> [(String, [UInt8])] {
    func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
    func double(_ value: Double) -> [UInt8] { le(value.bitPattern) }
    func string(_ text: String) -> [UInt8] { [UInt8(text.utf8.count)] + Array(text.utf8) }
    // A dimension: 8 bytes, then a byte whose low bit 0 keeps it small (as given, mod 9).
    func dim(_ value: Int64) -> [UInt8] { le(value) + [0] }
    let discrete: [UInt8] = [0, 1, 0, 0] + le(Int64(3)) + le(Int64(0)) + [0]
    let box: [UInt8] = [0, 2, 1, 2] + dim(2) + dim(1) + le(Int64(0)) + le(Int64(0))
        + double(-1) + double(1) + le(Int64(0)) + le(Int64(0)) + [0]
    let multiDiscrete: [UInt8] = [0, 3, 0, 1] + dim(2) + le(Int64(0)) + le(Int64(0))
        + double(0) + double(0) + le(Int64(3)) + le(Int64(4)) + [1]
    let multiBinary: [UInt8] = [0, 4, 0, 2] + dim(2) + dim(3) + le(Int64(0)) + le(Int64(0)) + Array(repeating: 0, count: 6 * 16) + [0]
    let values: [UInt8] = [1, 2] + [1] + [1] + string("gravity") + double(9.8) + le(Int64(0)) + [1] + string("") + le(Int32(0))
        + [3] + [1] + string("mode") + double(0) + le(Int64(0)) + [1] + string("fast") + le(Int32(1)) + [2]
    let roundTrip: [UInt8] = [2, 4] + string("a") + [0] + double(0.5) + string("b") + [1] + le(Int64(-7))
        + string("c") + [2] + string("text") + string("d") + [3, 1]
    let text: [UInt8] = [3, 5] + Array("hello".utf8) + [8] + string("a long error message")
    return [("discrete", discrete), ("box", box), ("multi-discrete", multiDiscrete), ("multi-binary", multiBinary),
            ("values", values), ("round-trip", roundTrip), ("text", text), ("all", discrete + box + values + roundTrip + text)]
}

@main
enum PluginValuesHarness {
    static func main() throws { try FuzzHarness.main(seeds: pluginValuesSeeds, run: runPluginValuesInput) }
}
