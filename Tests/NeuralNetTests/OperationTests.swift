import Foundation
import Testing
@testable import NeuralNet

@Suite("Forward values of operations")
struct OperationTests {
    @Test("broadcasting adds a bias row to every row, a column to every column")
    func broadcasting() {
        let g = Graph()
        let x = g.constant(Tensor(rows: [[1, 2, 3], [4, 5, 6]]))
        #expect((x + g.constant(Tensor(shape: [3], data: [10, 20, 30]))).value
                == Tensor(rows: [[11, 22, 33], [14, 25, 36]]))
        #expect((x * g.constant(Tensor(shape: [2, 1], data: [2, -1]))).value == Tensor(rows: [[2, 4, 6], [-4, -5, -6]]))
        #expect((g.constant(Tensor(scalar: 1)) - x).value == Tensor(rows: [[0, -1, -2], [-3, -4, -5]]))
        #expect((2 * x + 1).value == Tensor(rows: [[3, 5, 7], [9, 11, 13]]))
        #expect((x / 2).value == Tensor(rows: [[0.5, 1, 1.5], [2, 2.5, 3]]))
    }

    @Test("reductions, gather, max and concat have the documented shapes and values")
    func shapes() {
        let g = Graph()
        let x = g.constant(Tensor(rows: [[1, 5, 3], [4, 2, 6]]))
        #expect(x.sum().value == Tensor(scalar: 21))
        #expect(x.mean().value == Tensor(scalar: 3.5))
        #expect(x.sum(axis: 1).value == Tensor(shape: [2], data: [9, 12]))
        #expect(x.mean(axis: 1, keepDim: true).value == Tensor(shape: [2, 1], data: [3, 4]))
        #expect(x.max(axis: 1).value == Tensor(shape: [2], data: [5, 6]))
        #expect(x.gather(indices: [2, 0]).value == Tensor(shape: [2], data: [3, 4]))
        let y = g.constant(Tensor(rows: [[7], [8]]))
        #expect(Variable.concat([x, y]).value == Tensor(rows: [[1, 5, 3, 7], [4, 2, 6, 8]]))
        #expect(x.clamped(min: 2, max: 4).value == Tensor(rows: [[2, 4, 3], [4, 2, 4]]))
        #expect(x.minimum(g.constant(Tensor(scalar: 3))).value == Tensor(rows: [[1, 3, 3], [3, 2, 3]]))
        #expect(x.maximum(g.constant(Tensor(scalar: 3))).value == Tensor(rows: [[3, 5, 3], [4, 3, 6]]))
        #expect(Tensor(rows: [[1, 5, 3], [4, 2, 6]]).argmax() == [1, 2])
    }

    @Test("softmax, log-softmax and sigmoid stay finite and correct for large inputs")
    func numericalStability() {
        let g = Graph()
        let x = g.constant(Tensor(rows: [[1000, 1001, 1002], [-1000, -1000, -1000]]))
        let s = x.softmax().value, ls = x.logSoftmax().value
        let e0: Float = 0.09003057  // 1 / (1 + e + e²)
        #expect(abs(s[0, 0] - e0) < 1e-6 && abs(s[1, 2] - 1.0 / 3) < 1e-6)
        #expect(abs(ls[0, 2] - (-0.40760596)) < 1e-5 && abs(ls[1, 0] - (-1.0986123)) < 1e-5)
        let sig = g.constant(Tensor(shape: [3], data: [-100, 0, 100])).sigmoid().value
        #expect(sig.data[0] >= 0 && sig.data[0] < 1e-30 && sig.data[1] == 0.5 && sig.data[2] == 1)
        #expect(s.data.allSatisfy { $0.isFinite } && ls.data.allSatisfy { $0.isFinite })
    }

    @Test("losses: MSE and Huber values by hand")
    func losses() {
        let g = Graph()
        let p = g.constant(Tensor(shape: [4], data: [0, 0, 0, 0]))
        let t = Tensor(shape: [4], data: [0.5, -0.5, 2, -3])
        #expect(abs(Loss.mse(p, target: t).value.scalar - (0.25 + 0.25 + 4 + 9) / 4) < 1e-6)
        // Huber(δ=1): 0.125, 0.125, 1.5, 2.5 → mean 1.0625.
        #expect(abs(Loss.huber(p, target: t).value.scalar - 1.0625) < 1e-6)
    }

    @Test("Tensor.matmul with transposes matches a hand product")
    func tensorMatmul() {
        let a = Tensor(rows: [[1, 2], [3, 4], [5, 6]])
        let b = Tensor(rows: [[1, 0, -1], [2, 1, 0]])
        #expect(a.matmul(b) == Tensor(rows: [[5, 2, -1], [11, 4, -3], [17, 6, -5]]))
        #expect(a.matmul(a, transposeSelf: true) == Tensor(rows: [[35, 44], [44, 56]]))
        #expect(a.matmul(a, transposeOther: true) == Tensor(rows: [[5, 11, 17], [11, 25, 39], [17, 39, 61]]))
        #expect(b.matmul(a, transposeSelf: true, transposeOther: true) == a.matmul(b).transposed())
    }

    @Test("a reset graph reuses node buffers and gives the same results")
    func reuse() {
        var rng = SeededRNG(seed: 11)
        let net = MLP(sizes: [4, 16, 2], rng: &rng)
        let x = Tensor.normal([8, 4], rng: &rng), y = Tensor.normal([8, 2], rng: &rng)
        let g = Graph()
        var grads: [[Tensor]] = []
        for _ in 0..<3 {
            g.reset()
            net.zeroGrad()
            g.backward(Loss.mse(net(g.constant(x)), target: y))
            grads.append(net.parameters.map(\.grad))
        }
        #expect(grads[0] == grads[1] && grads[1] == grads[2])
        let nodes = g.nodes.count
        g.reset()
        _ = Loss.mse(net(g.constant(x)), target: y)
        #expect(g.nodes.count == nodes, "no new nodes allocated on a repeated pass")
    }

    @Test("gradients reach only what depends on parameters, and accumulate like PyTorch")
    func accumulation() {
        let w = Parameter(Tensor(shape: [2], data: [1, 2]))
        let g = Graph()
        let c = g.constant(Tensor(shape: [2], data: [3, 4]))
        let loss = (g.parameter(w) * c).sum()
        g.backward(loss)
        #expect(w.grad == Tensor(shape: [2], data: [3, 4]))
        #expect(c.gradient == nil)
        g.backward(loss)
        #expect(w.grad == Tensor(shape: [2], data: [6, 8]))
        w.zeroGrad()
        #expect(w.grad == Tensor.zeros([2]))
    }

    @Test("OpenBLAS runs AVX2/AVX-512 kernels where the CPU has them, not the generic fallback")
    func blasKernels() throws {
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let hasAVX2 = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }?
            .split(separator: " ").contains("avx2") ?? false
        let core = BLAS.coreName
        #expect(!core.isEmpty && core != "unknown")
        if hasAVX2 && ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil {
            #expect(core != "Prescott", "OpenBLAS fell back to SSE3 kernels on an AVX2 machine")
        }
    }
}
