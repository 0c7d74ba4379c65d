import Testing
@testable import NeuralNet

/// One differentiable operation (or a small composition) under a finite-difference check.
enum GradientCase: String, CaseIterable, Sendable {
    case add, addRowVector, addRowMatrix, addColumn, addScalar, sub, subBroadcastLeft, mul, mulColumn, div,
         divBroadcast, minimum, maximum, affine, negate, scalarMinus, squareOfSelf,
         exp, log, square, sqrt, abs, clamp, relu, elu, tanh, sigmoid, softmax, logSoftmax,
         sum, mean, sumAxis1, meanAxis1KeepDim, maxAxis1, gather, concat,
         matmul, matmulTransposeLeft, matmulTransposeRight, matmulTransposeBoth,
         linear, linearNoBias, linearRank1, mse, mseTargetGradient, huber, huberDelta
}

@Suite("Finite-difference gradient checks")
struct GradientCheckTests {
    @Test("each operation's backward matches central differences", arguments: GradientCase.allCases)
    func operation(_ op: GradientCase) {
        // A stable per-case seed (String.hashValue is randomised per process).
        var rng = SeededRNG(seed: op.rawValue.utf8.reduce(7) { $0 &* 31 &+ UInt64($1) })
        let a34 = tensorAvoiding([3, 4], rng: &rng)
        let b34 = tensorAvoiding([3, 4], rng: &rng)
        switch op {
        case .add: checkGradients([a34, b34]) { $0[0] + $0[1] }
        case .addRowVector: checkGradients([a34, tensorAvoiding([4], rng: &rng)]) { $0[0] + $0[1] }
        case .addRowMatrix: checkGradients([a34, tensorAvoiding([1, 4], rng: &rng)]) { $0[0] + $0[1] }
        case .addColumn: checkGradients([a34, tensorAvoiding([3, 1], rng: &rng)]) { $0[0] + $0[1] }
        case .addScalar: checkGradients([a34, tensorAvoiding([], rng: &rng)]) { $0[0] + $0[1] }
        case .sub: checkGradients([a34, b34]) { $0[0] - $0[1] }
        case .subBroadcastLeft: checkGradients([tensorAvoiding([4], rng: &rng), a34]) { $0[0] - $0[1] }
        case .mul: checkGradients([a34, b34]) { $0[0] * $0[1] }
        case .mulColumn: checkGradients([a34, tensorAvoiding([3, 1], rng: &rng)]) { $0[0] * $0[1] }
        case .div: checkGradients([a34, positiveTensor([3, 4], rng: &rng)]) { $0[0] / $0[1] }
        case .divBroadcast: checkGradients([a34, positiveTensor([1, 4], rng: &rng)]) { $0[0] / $0[1] }
        case .minimum:
            let b = Tensor(shape: [3, 4], data: a34.data.enumerated().map { $0.element + ($0.offset % 2 == 0 ? 0.3 : -0.4) })
            checkGradients([a34, b]) { $0[0].minimum($0[1]) }
        case .maximum:
            let b = Tensor(shape: [3, 4], data: a34.data.enumerated().map { $0.element + ($0.offset % 3 == 0 ? 0.3 : -0.4) })
            checkGradients([a34, b]) { $0[0].maximum($0[1]) }
        case .affine: checkGradients([a34]) { 2.5 * $0[0] - 0.75 }
        case .negate: checkGradients([a34]) { -$0[0] }
        case .scalarMinus: checkGradients([a34]) { (1 - $0[0]) / 4 }
        case .squareOfSelf: checkGradients([a34]) { $0[0] * $0[0] + $0[0] }
        case .exp: checkGradients([a34]) { $0[0].exp() }
        case .log: checkGradients([positiveTensor([3, 4], rng: &rng)]) { $0[0].log() }
        case .square: checkGradients([a34]) { $0[0].square() }
        case .sqrt: checkGradients([positiveTensor([3, 4], rng: &rng)]) { $0[0].sqrt() }
        case .abs: checkGradients([a34]) { $0[0].abs() }
        case .clamp:
            let x = tensorAvoiding([3, 4], avoid: [-0.5, 0.7], rng: &rng)
            checkGradients([x]) { $0[0].clamped(min: -0.5, max: 0.7) }
        case .relu: checkGradients([a34]) { $0[0].relu() }
        case .elu: checkGradients([a34]) { $0[0].elu(alpha: 1.3) }
        case .tanh: checkGradients([a34]) { $0[0].tanh() }
        case .sigmoid: checkGradients([a34]) { $0[0].sigmoid() }
        case .softmax: checkGradients([a34]) { $0[0].softmax() }
        case .logSoftmax: checkGradients([a34]) { $0[0].logSoftmax() }
        case .sum: checkGradients([a34]) { $0[0].square().sum() }
        case .mean: checkGradients([a34]) { $0[0].square().mean() }
        case .sumAxis1: checkGradients([a34]) { $0[0].square().sum(axis: 1) }
        case .meanAxis1KeepDim: checkGradients([a34]) { $0[0].square().mean(axis: 1, keepDim: true) }
        case .maxAxis1:
            // Distinct entries spaced 0.3 apart in each row, so the maximum is unambiguous.
            let x = Tensor(shape: [3, 4], data: [0.1, 0.9, -0.5, 0.4, -1.0, -0.2, -0.7, 0.5, 1.2, 0.3, 0.8, -0.4])
            checkGradients([x]) { $0[0].max(axis: 1) }
        case .gather: checkGradients([a34]) { $0[0].gather(indices: [2, 0, 3]) }
        case .concat:
            checkGradients([a34, tensorAvoiding([3, 2], rng: &rng)]) { Variable.concat([$0[0], $0[1], $0[0]]) }
        case .matmul:
            checkGradients([a34, tensorAvoiding([4, 2], rng: &rng)]) { $0[0].matmul($0[1]) }
        case .matmulTransposeLeft:
            checkGradients([a34, tensorAvoiding([3, 2], rng: &rng)]) { $0[0].matmul($0[1], transposeSelf: true) }
        case .matmulTransposeRight:
            checkGradients([a34, tensorAvoiding([5, 4], rng: &rng)]) { $0[0].matmul($0[1], transposeOther: true) }
        case .matmulTransposeBoth:
            checkGradients([a34, tensorAvoiding([2, 3], rng: &rng)]) {
                $0[0].matmul($0[1], transposeSelf: true, transposeOther: true)
            }
        case .linear:
            let w = Parameter(tensorAvoiding([5, 4], rng: &rng)), b = Parameter(tensorAvoiding([5], rng: &rng))
            // dX through the fused layer here; dW and db by differences on the parameters below.
            checkGradients([a34]) { $0[0].linear(weight: w, bias: b) }
            // And dW/db of the fused op itself, by finite differences on the parameters.
            checkParameterGradients(weight: w, bias: b, input: a34)
        case .linearNoBias:
            let w = Parameter(tensorAvoiding([2, 4], rng: &rng))
            checkGradients([a34]) { $0[0].linear(weight: w, bias: nil) }
            checkParameterGradients(weight: w, bias: nil, input: a34)
        case .linearRank1:
            let w = Parameter(tensorAvoiding([2, 4], rng: &rng)), b = Parameter(tensorAvoiding([2], rng: &rng))
            checkGradients([tensorAvoiding([4], rng: &rng)]) { $0[0].linear(weight: w, bias: b) }
        case .mse: checkGradients([a34]) { Loss.mse($0[0], target: b34) }
        case .mseTargetGradient: checkGradients([a34, b34]) { Loss.mse($0[0], $0[1]) }
        case .huber:
            // Differences of ±0.3, ±0.6 (quadratic part) and ±1.5, ±2.5 (linear part).
            let d: [Float] = [0.3, -0.6, 1.5, -2.5]
            let t = Tensor(shape: [3, 4], data: a34.data.enumerated().map { $0.element - d[$0.offset % 4] })
            checkGradients([a34, t]) { Loss.huber($0[0], $0[1]) }
        case .huberDelta:
            let d: [Float] = [0.3, -0.9, 2.5, -3.5]
            let t = Tensor(shape: [3, 4], data: a34.data.enumerated().map { $0.element - d[$0.offset % 4] })
            checkGradients([a34, t]) { Loss.huber($0[0], $0[1], delta: 2) }
        }
    }

    /// Finite differences on a fused linear layer's own weight and bias parameters.
    func checkParameterGradients(weight: Parameter, bias: Parameter?, input: Tensor,
                                 sourceLocation: SourceLocation = #_sourceLocation) {
        let graph = Graph()
        var rng = SeededRNG(seed: 5)
        let outCount = weight.shape[0] * input.shape[0]
        let coefficients = Tensor.uniform([input.shape[0], weight.shape[0]], low: 0.5, high: 1.5, rng: &rng)
        #expect(coefficients.count == outCount)
        func loss() -> Float {
            graph.reset()
            let y = graph.constant(input).linear(weight: weight, bias: bias)
            let l = (y * graph.constant(coefficients)).sum()
            return graph.value(of: l).scalar
        }
        weight.zeroGrad()
        bias?.zeroGrad()
        graph.reset()
        let y = graph.constant(input).linear(weight: weight, bias: bias)
        graph.backward((y * graph.constant(coefficients)).sum())
        let h: Float = 5e-3
        for p in [weight] + (bias.map { [$0] } ?? []) {
            let analytic = p.grad
            for k in p.value.data.indices {
                let original = p.value.data[k]
                p.value.data[k] = original + h
                let plus = loss()
                p.value.data[k] = original - h
                let minus = loss()
                p.value.data[k] = original
                let numeric = (plus - minus) / (2 * h)
                #expect(abs(analytic.data[k] - numeric) <= 1e-2 * (abs(numeric) + 0.05),
                        "parameter gradient \(k): \(analytic.data[k]) vs \(numeric)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test("a small MLP's parameter gradients match central differences end to end")
    func mlpEndToEnd() {
        var rng = SeededRNG(seed: 2024)
        // ReLU is left out: through a random net some unit always sits within h of its kink, where a
        // difference quotient means nothing. The ReLU MLP's gradients are checked against torch instead.
        for activation in [Activation.tanh, .elu, .sigmoid] {
            let net = MLP(sizes: [3, 6, 5, 2], activation: activation, outputActivation: .tanh, rng: &rng)
            let x = Tensor.normal([4, 3], rng: &rng)
            let target = Tensor.normal([4, 2], std: 0.5, rng: &rng)
            let graph = Graph()
            func loss() -> Variable {
                graph.reset()
                return Loss.mse(net(graph.constant(x)), target: target)
            }
            net.zeroGrad()
            graph.backward(loss())
            let h: Float = 5e-3
            var checked = 0
            for (name, p) in net.namedParameters {
                let analytic = p.grad
                for k in p.value.data.indices {
                    let original = p.value.data[k]
                    p.value.data[k] = original + h
                    let plus = graph.value(of: loss()).scalar
                    p.value.data[k] = original - h
                    let minus = graph.value(of: loss()).scalar
                    p.value.data[k] = original
                    let numeric = (plus - minus) / (2 * h)
                    // Absolute-plus-relative tolerance at float32 noise level (the loss is ~0.3).
                    #expect(abs(analytic.data[k] - numeric) <= 2e-2 * abs(numeric) + 2e-4,
                            "\(activation) \(name)[\(k)]: analytic \(analytic.data[k]) vs numeric \(numeric)")
                    checked += 1
                }
            }
            #expect(checked == net.parameterCount)
        }
    }
}
