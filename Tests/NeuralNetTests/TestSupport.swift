import Foundation
import Testing
@testable import NeuralNet

/// A tensor as the fixture scripts write it.
struct NamedTensorJSON: Decodable {
    let name: String
    let shape: [Int]
    let data: [Double]

    var tensor: Tensor { Tensor(shape: shape, data: data.map { Float($0) }) }
}

/// Loading files from the test bundle's `Fixtures` folder.
enum Fixtures {
    struct Missing: Error, CustomStringConvertible {
        let name: String
        var description: String { "fixture \(name) is not in the test bundle" }
    }

    static func url(_ file: String) throws -> URL {
        let parts = file.split(separator: ".", maxSplits: 1).map(String.init)
        guard let url = Bundle.module.url(forResource: parts[0], withExtension: parts.count > 1 ? parts[1] : nil,
                                          subdirectory: "Fixtures") else { throw Missing(name: file) }
        return url
    }

    static func decode<T: Decodable>(_ type: T.Type, from file: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(contentsOf: url(file)))
    }
}

/// The largest elementwise error of `actual` against `expected`, relative to `max(|expected|, floor)`.
func maxRelativeError(_ actual: Tensor, _ expected: Tensor, floor: Float) -> Float {
    precondition(actual.count == expected.count)
    var worst: Float = 0
    for (a, e) in zip(actual.data, expected.data) {
        worst = max(worst, abs(a - e) / max(abs(e), floor))
    }
    return worst
}

/// Records an issue unless every element of `actual` is within `relative·max(|expected|, floor)`
/// of `expected` (and the shapes agree).
func expectClose(_ actual: Tensor, _ expected: Tensor, relative: Float, floor: Float = 1,
                 _ what: @autoclosure () -> String, sourceLocation: SourceLocation = #_sourceLocation) {
    guard actual.shape == expected.shape else {
        Issue.record("\(what()): shape \(actual.shape) != \(expected.shape)", sourceLocation: sourceLocation)
        return
    }
    let err = maxRelativeError(actual, expected, floor: floor)
    #expect(err <= relative, "\(what()): max relative error \(err) > \(relative)", sourceLocation: sourceLocation)
}

/// Compares analytic gradients with central finite differences in float32.
///
/// The loss is `sum(build(inputs) * weights)` with fixed random weights, so every output element
/// matters with a different coefficient. Inputs must keep every element at least ~10·h away from
/// kinks (ReLU at 0, clamp bounds, ties in min/max) so the difference quotient is meaningful.
/// Returns the worst error found, as `|analytic − numeric| / (|numeric| + 0.05)`.
@discardableResult
func checkGradients(_ inputs: [Tensor], h: Float = 5e-3, tolerance: Float = 1e-2, seed: UInt64 = 99,
                    sourceLocation: SourceLocation = #_sourceLocation,
                    _ build: ([Variable]) -> Variable) -> Float {
    let params = inputs.map { Parameter($0) }
    return checkParameterGradients(params, h: h, tolerance: tolerance, seed: seed, label: "input",
                                   sourceLocation: sourceLocation) { graph in build(params.map { graph.parameter($0) }) }
}

/// Compares the analytic gradients of `sum(build(graph) * probe)` with central differences over every
/// element of `parameters` (graph inputs, or a layer's own weight and bias), with a fixed random `probe`.
/// Returns the worst error `|analytic − numeric| / (|numeric| + 0.05)`.
@discardableResult
func checkParameterGradients(_ parameters: [Parameter], h: Float = 5e-3, tolerance: Float = 1e-2, seed: UInt64 = 41,
                             label: String = "parameter", sourceLocation: SourceLocation = #_sourceLocation,
                             _ build: (Graph) -> Variable) -> Float {
    let graph = Graph()
    var rng = SeededRNG(seed: seed)
    var probe: Tensor?
    func loss() -> Float {
        graph.reset()
        let out = build(graph)
        if probe == nil { probe = Tensor.uniform(out.shape, low: 0.5, high: 1.5, rng: &rng) }
        guard let probe else { return .nan }
        return graph.value(of: (out * graph.constant(probe)).sum()).scalar
    }
    for p in parameters { p.zeroGrad() }
    graph.reset()
    let out = build(graph)
    probe = Tensor.uniform(out.shape, low: 0.5, high: 1.5, rng: &rng)
    graph.backward((out * graph.constant(probe ?? Tensor.zeros(out.shape))).sum())
    let analytic = parameters.map(\.grad)
    var worst: Float = 0
    for (pi, p) in parameters.enumerated() {
        for k in p.value.data.indices {
            let original = p.value.data[k]
            p.value.data[k] = original + h
            let plus = loss()
            p.value.data[k] = original - h
            let minus = loss()
            p.value.data[k] = original
            let numeric = (plus - minus) / (2 * h)
            let a = analytic[pi].data[k]
            let err = abs(a - numeric) / (abs(numeric) + 0.05)
            worst = max(worst, err)
            if err > tolerance {
                Issue.record("\(label) \(pi) element \(k): analytic \(a) vs numeric \(numeric)", sourceLocation: sourceLocation)
            }
        }
    }
    return worst
}

/// Draws a tensor uniformly from `[-scale, scale]`, pushing every element at least `margin` away from
/// the points in `avoid` (kinks of the operation under test).
func tensorAvoiding(_ shape: [Int], scale: Float = 1.5, margin: Float = 0.1, avoid: [Float] = [0],
                    rng: inout SeededRNG) -> Tensor {
    var t = Tensor.zeros(shape)
    for k in t.data.indices {
        var v: Float
        repeat {
            v = rng.nextUniform(low: -scale, high: scale)
        } while avoid.contains(where: { abs(v - $0) < margin })
        t.data[k] = v
    }
    return t
}

/// A tensor of values in `[low, high)`.
func positiveTensor(_ shape: [Int], low: Float = 0.5, high: Float = 2, rng: inout SeededRNG) -> Tensor {
    Tensor.uniform(shape, low: low, high: high, rng: &rng)
}
