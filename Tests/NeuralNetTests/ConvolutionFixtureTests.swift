import Foundation
import Testing
@testable import NeuralNet

/// The layout of `Fixtures/conv_fixtures.json` (written by `Fixtures/make_conv_fixtures.py`).
struct ConvolutionFixture: Decodable {
    struct Case: Decodable {
        let name: String
        let in_channels, height, width, out_channels, kernel, stride, padding: Int
        let input, weight, output, probe, grad_input, grad_weight: NamedTensorJSON
        let bias, grad_bias: NamedTensorJSON?
    }
    let torch_version: String
    let cases: [Case]

    static func load() throws -> ConvolutionFixture {
        try Fixtures.decode(ConvolutionFixture.self, from: "conv_fixtures.json")
    }
}

@Suite("Convolutions against PyTorch")
struct ConvolutionFixtureTests {
    /// Products here sum up to a few hundred terms in another order than oneDNN's, and gradients
    /// of the deeper layers pass through several of them, so agreement is float32 round-off of such
    /// sums at the scale of the tensor: each element within 1e-5 of `max(|expected element|,
    /// 0.1·max |expected|)` (elements near zero after cancellation carry the round-off of the large
    /// terms they came from). Measured worst: 5e-7 of the largest gradient.
    static let tolerance: Float = 1e-5

    static func floor(_ t: Tensor) -> Float { 0.1 * (t.data.map(abs).max() ?? 1) }

    static let caseNames = ["k3s1p0", "k3s2p1", "k4s2p2_nobias", "k5s3p4", "k1s1p0", "nature1_k8s4", "nature2_k4s2",
                            "nature3_k3s1"]

    @Test("F.conv2d forward and backward equal torch's", arguments: caseNames)
    func convolution(_ name: String) throws {
        let fixture = try ConvolutionFixture.load()
        let c = try #require(fixture.cases.first { $0.name == name }, "case \(name) missing from fixture")
        let layer = Conv2D(weight: c.weight.tensor, bias: c.bias?.tensor, stride: c.stride, padding: c.padding)
        let shape = ImageShape(channels: c.in_channels, height: c.height, width: c.width)
        let x = Parameter(c.input.tensor)
        let graph = Graph()
        let out = layer(ImageVariable(graph.parameter(x), shape: shape))
        #expect(out.shape == layer.outputShape(for: shape))
        let y = out.flattened()
        graph.backward((y * graph.constant(c.probe.tensor)).sum())
        let expected = [("output", graph.value(of: y), c.output), ("grad input", x.grad, c.grad_input),
                        ("grad weight", layer.weight.grad, c.grad_weight)]
            + (layer.bias.map { [("grad bias", $0.grad, c.grad_bias ?? c.output)] } ?? [])
        for (what, actual, e) in expected {
            expectClose(actual, e.tensor, relative: Self.tolerance, floor: Self.floor(e.tensor), "\(name) \(what)")
        }
    }

    @Test("the Nature CNN torso on HWC uint8 frames equals torch's forward, MSE loss and gradients")
    func natureCNN() throws {
        let file = try SafeTensors.load(from: Fixtures.url("nature_cnn_fixture.safetensors"))
        func tensor(_ name: String) throws -> Tensor { try #require(file.tensors[name], "\(name) missing from fixture") }
        let meta = file.metadata
        let frames = try #require(meta["frames"].flatMap(Int.init)), side = try #require(meta["side"].flatMap(Int.init))
        let features = try #require(meta["features"].flatMap(Int.init))
        var rng = SeededRNG(seed: 0)
        let net = try NatureCNN(input: ImageShape(channels: frames, height: side, width: side), features: features, rng: &rng)
        var state: [String: Tensor] = [:]
        for (name, t) in file.tensors where name.hasPrefix("param.") { state[String(name.dropFirst(6))] = t }
        try net.load(stateDict: state)

        let bytes = try tensor("images").data.map { UInt8($0) }
        let graph = Graph()
        let images = try graph.images(bytes, shape: net.input, layout: .channelsLast)
        // Both sides divide each byte by 255 in float32: the scaled input agrees exactly.
        #expect(graph.value(of: images.variable) == (try tensor("input")))
        let out = net(images)
        let loss = Loss.mse(out, target: try tensor("target"))
        graph.backward(loss)
        let expectedOutput = try tensor("output")
        expectClose(graph.value(of: out), expectedOutput, relative: Self.tolerance, floor: Self.floor(expectedOutput), "output")
        let expectedLoss = try tensor("loss").scalar
        #expect(abs(graph.value(of: loss).scalar - expectedLoss) <= Self.tolerance * expectedLoss)
        for (name, p) in net.namedParameters {
            let e = try tensor("grad." + name)
            expectClose(p.grad, e, relative: Self.tolerance, floor: Self.floor(e), "grad \(name)")
        }
    }
}
