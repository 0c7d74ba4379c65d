import Foundation
import Testing
@testable import NeuralNet

@Suite("safetensors")
struct SafeTensorsTests {
    static let sample: [String: Tensor] = [
        "0.weight": Tensor(shape: [2, 3], data: [1, -2, 3.5, 0.25, -0.125, 1e-20]),
        "0.bias": Tensor(shape: [2], data: [Float.greatestFiniteMagnitude, -0.0]),
        "scalar": Tensor(scalar: 7),
        "empty": Tensor(shape: [0, 5], data: []),
        "weird \"name\"\n/é": Tensor(shape: [1, 1, 2], data: [3, 4]),
    ]

    @Test("encode then decode gives back the same tensors and metadata")
    func roundTrip() throws {
        let metadata = ["format": "pt", "step": "1200", "quote\"d": "new\nline ü"]
        let bytes = try SafeTensors.encode(Self.sample, metadata: metadata)
        let file = try SafeTensors.decode(bytes)
        #expect(file.tensors == Self.sample)
        #expect(file.metadata == metadata)
        // Bit-exact, including the sign of -0.
        #expect(file.tensors["0.bias"]?.data[1].sign == .minus)
    }

    @Test("save and load through a file")
    func fileRoundTrip() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nn-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try SafeTensors.save(Self.sample, metadata: ["a": "b"], to: url)
        let file = try SafeTensors.load(from: url)
        #expect(file == SafeTensorsFile(tensors: Self.sample, metadata: ["a": "b"]))
    }

    @Test("the header is an 8-byte little-endian length, then a JSON object describing contiguous F32 data")
    func headerLayout() throws {
        let tensors = ["b": Tensor(shape: [3], data: [1, 2, 3]), "a": Tensor(shape: [2, 2], data: [5, 6, 7, 8])]
        let bytes = try SafeTensors.encode(tensors, metadata: ["format": "pt"])
        var n = 0
        for i in 0..<8 { n |= Int(bytes[i]) << (8 * i) }
        #expect(n % 8 == 0, "header padded to 8 bytes")
        #expect(bytes.count == 8 + n + 7 * 4)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + n)])) as? [String: Any])
        #expect(Set(json.keys) == ["a", "b", "__metadata__"])
        #expect((json["__metadata__"] as? [String: String]) == ["format": "pt"])
        let a = try #require(json["a"] as? [String: Any]), b = try #require(json["b"] as? [String: Any])
        #expect(a["dtype"] as? String == "F32")
        #expect(a["shape"] as? [Int] == [2, 2])
        #expect(a["data_offsets"] as? [Int] == [0, 16])
        #expect(b["shape"] as? [Int] == [3])
        #expect(b["data_offsets"] as? [Int] == [16, 28])
        // Raw little-endian float32 at the stated offsets.
        let start = 8 + n + 16
        let first = UInt32(bytes[start]) | UInt32(bytes[start + 1]) << 8 | UInt32(bytes[start + 2]) << 16
            | UInt32(bytes[start + 3]) << 24
        #expect(Float(bitPattern: first) == 1)
    }

    @Test("a file written by Python's safetensors loads with the right values")
    func pythonWritten() throws {
        let file = try SafeTensors.load(from: Fixtures.url("python_written.safetensors"))
        #expect(file.metadata == ["format": "np", "note": "written by python safetensors"])
        #expect(file.tensors["layer.weight"] == Tensor(shape: [2, 3], data: [-1.25, -0.75, -0.25, 0.25, 0.75, 1.25]))
        #expect(file.tensors["layer.bias"] == Tensor(shape: [3], data: [1, -2, 3.5]))
        #expect(file.tensors["scalar"] == Tensor(scalar: 42))
        #expect(file.tensors["empty"] == Tensor(shape: [0, 4], data: []))
        #expect(file.tensors.count == 4)
    }

    /// A file with the given header text and `dataBytes` zero bytes of data.
    static func file(_ header: String, _ dataBytes: Int, _ declaredLength: UInt64?) -> [UInt8] {
        let h = Array(header.utf8)
        var out: [UInt8] = []
        var n = (declaredLength ?? UInt64(h.count)).littleEndian
        withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
        return out + h + [UInt8](repeating: 0, count: dataBytes)
    }

    static let entry = #""x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}"#

    /// The error decoding `bytes` throws, or nil if it decodes.
    static func decodeError(_ bytes: [UInt8]) -> SafeTensorsError? {
        do {
            _ = try SafeTensors.decode(bytes)
            return nil
        } catch {
            return error
        }
    }

    static func isInvalidHeader(_ error: SafeTensorsError?) -> Bool {
        error?.code == .invalidHeader
    }

    @Test("malformed files are rejected with a typed error")
    func malformed() throws {
        let e = Self.decodeError, f = Self.file
        #expect(e([1, 2, 3]) == .truncated)
        #expect(e(f("{\(Self.entry)}", 8, 1000)) == .truncated)
        #expect(e(f("{}", 0, 1 << 40)) == .headerTooLarge(1 << 40))
        #expect(Self.isInvalidHeader(e(f("{not json", 0, nil))))
        #expect(Self.isInvalidHeader(e(f("[1,2]", 0, nil))))
        #expect(e(f(#"{"x":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#, 4, nil))
                == .unsupportedDType(name: "x", dtype: "F16"))
        // Byte range too short for the shape, and a range past the end of the data.
        #expect(e(f(#"{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, 8, nil)) == .invalidOffsets(name: "x"))
        #expect(e(f(#"{"x":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, 8, nil)) == .invalidOffsets(name: "x"))
        // Trailing bytes, a leading gap, and overlapping ranges.
        #expect(e(f("{\(Self.entry)}", 12, nil)) == .dataNotContiguous)
        #expect(e(f(#"{"x":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, 12, nil)) == .dataNotContiguous)
        #expect(e(f(#"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"y":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                    8, nil)) == .dataNotContiguous)
        // Shapes must be non-negative integers; metadata values strings; every field present.
        #expect(Self.isInvalidHeader(e(f(#"{"x":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, 8, nil))))
        #expect(Self.isInvalidHeader(e(f(#"{"x":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}"#, 8, nil))))
        #expect(Self.isInvalidHeader(e(f(#"{"x":{"dtype":"F32","shape":[true],"data_offsets":[0,4]}}"#, 4, nil))))
        #expect(Self.isInvalidHeader(e(f(#"{"__metadata__":{"k":1},\#(Self.entry)}"#, 8, nil))))
        #expect(Self.isInvalidHeader(e(f(#"{"x":{"shape":[2],"data_offsets":[0,8]}}"#, 8, nil))))
        #expect(e(f(#"{"":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, 8, nil)) == .invalidName(""))
        // And the well-formed version of the same file is accepted.
        let ok = try SafeTensors.decode(f("{\(Self.entry)}   ", 8, nil))
        #expect(ok.tensors["x"] == Tensor(shape: [2], data: [0, 0]))
    }

    @Test("the reserved name cannot be used for a tensor")
    func reservedName() {
        #expect(throws: SafeTensorsError.invalidName("__metadata__")) {
            try SafeTensors.encode(["__metadata__": Tensor(scalar: 1)])
        }
    }

    @Test("a module checkpoint restores the same network")
    func moduleCheckpoint() throws {
        var rng = SeededRNG(seed: 3)
        let a = MLP(sizes: [4, 8, 2], rng: &rng)
        let b = MLP(sizes: [4, 8, 2], rng: &rng)
        let x = Tensor.normal([3, 4], rng: &rng)
        #expect(a.predict(x) != b.predict(x))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nn-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try a.save(to: url, metadata: ["algo": "dqn"])
        let file = try SafeTensors.load(from: url)
        #expect(Set(file.tensors.keys) == ["0.weight", "0.bias", "2.weight", "2.bias"])
        try b.load(stateDict: file.tensors)
        #expect(a.predict(x) == b.predict(x))
        #expect(file.metadata["algo"] == "dqn")
        #expect(throws: ModuleError.missingParameter("2.bias")) {
            try b.load(stateDict: file.tensors.filter { $0.key != "2.bias" })
        }
        var wrong = file.tensors
        wrong["0.bias"] = Tensor.zeros([9])
        #expect(throws: ModuleError.shapeMismatch(name: "0.bias", expected: [8], found: [9])) {
            try b.load(stateDict: wrong)
        }
    }
}
