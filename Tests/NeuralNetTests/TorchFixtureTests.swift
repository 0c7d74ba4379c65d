import Foundation
import Testing
@testable import NeuralNet

/// The layout of `Fixtures/torch_fixtures.json` (written by `Fixtures/make_torch_fixtures.py`).
struct TorchFixture: Decodable {
    struct OptimizerCase: Decodable {
        let kind: String
        let name: String
        let options: [String: Double]
        let expected: [[NamedTensorJSON]]
    }
    struct ClipCase: Decodable {
        let max_norm: Double
        let total_norm: Double
        let clipped: [NamedTensorJSON]
    }
    struct Clip: Decodable {
        let grads: [NamedTensorJSON]
        let cases: [ClipCase]
    }
    struct MLPCase: Decodable {
        let activation: String
        let sizes: [Int]
        let params: [NamedTensorJSON]
        let input: NamedTensorJSON
        let target: NamedTensorJSON
        let output: NamedTensorJSON
        let loss: Double
        let grads: [NamedTensorJSON]
    }
    struct Training: Decodable {
        let sizes: [Int]
        let lr: Double
        let weight_decay: Double
        let params: [NamedTensorJSON]
        let input: NamedTensorJSON
        let target: NamedTensorJSON
        let losses: [Double]
        let params_after: [NamedTensorJSON]
    }

    let torch_version: String
    let steps: Int
    let initial: [NamedTensorJSON]
    let grads: [[NamedTensorJSON]]
    let optimizers: [OptimizerCase]
    let clip: Clip
    let mlp_huber: [MLPCase]
    let training: Training

    static func load() throws -> TorchFixture {
        try Fixtures.decode(TorchFixture.self, from: "torch_fixtures.json")
    }
}

/// Builds a PyTorch-named MLP from `state_dict` tensors in Sequential order.
func mlpFromTorch(_ params: [NamedTensorJSON], activation: Activation) throws -> MLP {
    var layers: [Dense] = []
    var i = 0
    while i + 1 < params.count {
        #expect(params[i].name == "\(2 * layers.count).weight" && params[i + 1].name == "\(2 * layers.count).bias")
        layers.append(Dense(weight: params[i].tensor, bias: params[i + 1].tensor))
        i += 2
    }
    let net = MLP(layers: layers, activation: activation)
    #expect(net.namedParameters.map(\.name) == params.map(\.name))
    return net
}

func activationNamed(_ name: String) throws -> Activation {
    switch name {
    case "relu": return .relu
    case "tanh": return .tanh
    case "elu": return .elu
    case "sigmoid": return .sigmoid
    default:
        struct Unknown: Error {}
        throw Unknown()
    }
}

@Suite("Agreement with PyTorch")
struct TorchFixtureTests {
    /// Relative tolerance for optimizer updates: a few float32 ulps, as the brief requires (1e-6).
    static let optimizerTolerance: Float = 1e-6

    @Test("optimizer steps equal torch.optim's on fixed gradients",
          arguments: ["sgd_plain", "sgd_momentum_wd", "sgd_nesterov_dampening0", "sgd_dampening",
                      "adam_wd", "adam_betas", "adamw_wd", "rmsprop_wd", "rmsprop_centered_momentum"])
    func optimizer(_ name: String) throws {
        let fixture = try TorchFixture.load()
        let c = try #require(fixture.optimizers.first { $0.name == name }, "case \(name) missing from fixture")
        let params = fixture.initial.map { Parameter($0.tensor) }
        let o = c.options
        func opt(_ key: String, _ fallback: Double) -> Double { o[key] ?? fallback }
        let optimizer: any Optimizer
        switch c.kind {
        case "sgd":
            optimizer = SGD(parameters: params, learningRate: opt("lr", 0), momentum: opt("momentum", 0),
                            dampening: opt("dampening", 0), weightDecay: opt("weight_decay", 0),
                            nesterov: (o["nesterov"] ?? 0) != 0)
        case "adam":
            optimizer = Adam(parameters: params, learningRate: opt("lr", 1e-3), beta1: opt("beta1", 0.9),
                             beta2: opt("beta2", 0.999), epsilon: opt("eps", 1e-8), weightDecay: opt("weight_decay", 0))
        case "adamw":
            optimizer = Adam.adamW(parameters: params, learningRate: opt("lr", 1e-3), beta1: opt("beta1", 0.9),
                                   beta2: opt("beta2", 0.999), epsilon: opt("eps", 1e-8),
                                   weightDecay: opt("weight_decay", 0.01))
        case "rmsprop":
            optimizer = RMSProp(parameters: params, learningRate: opt("lr", 1e-2), alpha: opt("alpha", 0.99),
                                epsilon: opt("eps", 1e-8), weightDecay: opt("weight_decay", 0),
                                momentum: opt("momentum", 0), centered: (o["centered"] ?? 0) != 0)
        default:
            Issue.record("unknown optimizer kind \(c.kind)")
            return
        }
        #expect(c.expected.count == fixture.steps)
        for (step, expected) in c.expected.enumerated() {
            for (p, g) in zip(params, fixture.grads[step]) { p.grad = g.tensor }
            optimizer.step()
            for (p, e) in zip(params, expected) {
                // Parameters move away from their start by at least ~1e-3, so relative error is meaningful;
                // the floor only guards elements that happen to cross zero.
                expectClose(p.value, e.tensor, relative: Self.optimizerTolerance, floor: 1e-2,
                            "\(name) step \(step + 1) \(e.name)")
            }
        }
    }

    @Test("clipGradNorm equals clip_grad_norm_")
    func clipping() throws {
        let fixture = try TorchFixture.load()
        for c in fixture.clip.cases {
            let params = fixture.clip.grads.map { g -> Parameter in
                let p = Parameter(Tensor.zeros(g.shape))
                p.grad = g.tensor
                return p
            }
            let total = GradientClipping.clipGradNorm(params, maxNorm: Float(c.max_norm))
            #expect(abs(Double(total) - c.total_norm) <= 1e-6 * c.total_norm, "total norm \(total) vs \(c.total_norm)")
            for (p, e) in zip(params, c.clipped) {
                expectClose(p.grad, e.tensor, relative: 1e-6, floor: 1e-2, "clip \(c.max_norm) \(e.name)")
            }
        }
        #expect(fixture.clip.cases.contains { $0.total_norm > $0.max_norm }, "fixture must exercise clipping")
        #expect(fixture.clip.cases.contains { $0.total_norm < $0.max_norm }, "fixture must exercise no clipping")
    }

    @Test("MLP forward, Huber loss and backward equal torch's", arguments: ["relu", "tanh", "elu", "sigmoid"])
    func mlpHuber(_ activationName: String) throws {
        let fixture = try TorchFixture.load()
        let c = try #require(fixture.mlp_huber.first { $0.activation == activationName })
        let net = try mlpFromTorch(c.params, activation: try activationNamed(activationName))
        #expect(net.sizes == c.sizes)
        let graph = Graph()
        let out = net(graph.constant(c.input.tensor))
        let loss = Loss.huber(out, target: c.target.tensor)
        graph.backward(loss)
        // Products go through different BLAS kernels (OpenBLAS vs MKL), whose summation order
        // differs, so compare at 1e-5 relative rather than bit for bit.
        expectClose(graph.value(of: out), c.output.tensor, relative: 1e-5, floor: 1e-2, "\(activationName) output")
        let lossValue = graph.value(of: loss).scalar
        #expect(abs(Double(lossValue) - c.loss) <= 1e-5 * abs(c.loss), "loss \(lossValue) vs \(c.loss)")
        for (name, p) in net.namedParameters {
            let e = try #require(c.grads.first { $0.name == name })
            expectClose(p.grad, e.tensor, relative: 1e-5, floor: 1e-2, "\(activationName) grad \(name)")
        }
    }

    @Test("five Adam training steps on an MLP follow torch's trajectory")
    func training() throws {
        let t = try TorchFixture.load().training
        let net = try mlpFromTorch(t.params, activation: .relu)
        let adam = Adam(parameters: net.parameters, learningRate: t.lr, weightDecay: t.weight_decay)
        let graph = Graph()
        let x = t.input.tensor, y = t.target.tensor
        for (step, expectedLoss) in t.losses.enumerated() {
            graph.reset()
            adam.zeroGrad()
            let loss = Loss.mse(net(graph.constant(x)), target: y)
            graph.backward(loss)
            adam.step()
            let l = Double(graph.value(of: loss).scalar)
            #expect(abs(l - expectedLoss) <= 1e-5 * abs(expectedLoss), "step \(step + 1) loss \(l) vs \(expectedLoss)")
        }
        for (name, p) in net.namedParameters {
            let e = try #require(t.params_after.first { $0.name == name })
            expectClose(p.value, e.tensor, relative: 1e-5, floor: 1e-2, "trained \(name)")
        }
    }
}
