import Foundation
import Testing
@testable import NeuralNet

/// The training-step micro-benchmark. Skipped unless `NN_BENCH=1`; run it in release:
/// `NN_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter benchmarkStep`.
enum Benchmark {
    /// Median microseconds of one forward + backward + Adam step of a 4-256-256-2 ReLU MLP,
    /// batch 64, MSE loss, reusing one graph across steps as a training loop would.
    static func benchmarkStep(iterations: Int = 3000, warmup: Int = 200) -> (medianMicroseconds: Double, minMicroseconds: Double, firstLoss: Float, lastLoss: Float) {
        var rng = SeededRNG(seed: 0)
        let net = MLP(sizes: [4, 256, 256, 2], activation: .relu, rng: &rng)
        let adam = Adam(parameters: net.parameters, learningRate: 1e-3)
        let x = Tensor.normal([64, 4], rng: &rng), y = Tensor.normal([64, 2], rng: &rng)
        let graph = Graph()
        var times: [Double] = []
        times.reserveCapacity(iterations)
        var first: Float = 0, last: Float = 0
        let clock = ContinuousClock()
        for i in 0..<(warmup + iterations) {
            let start = clock.now
            graph.reset()
            adam.zeroGrad()
            let loss = Loss.mse(net(graph.constant(x)), target: y)
            graph.backward(loss)
            adam.step()
            let elapsed = clock.now - start
            if i == 0 { first = graph.value(of: loss).scalar }
            last = graph.value(of: loss).scalar
            if i >= warmup {
                times.append(Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) * 1e-12)
            }
        }
        times.sort()
        return (times[times.count / 2], times[0], first, last)
    }
}

@Suite("Benchmark")
struct BenchmarkTests {
    @Test("training step micro-benchmark", .enabled(if: ProcessInfo.processInfo.environment["NN_BENCH"] == "1"))
    func benchmarkStep() {
        let r = Benchmark.benchmarkStep()
        print(String(format: "NeuralNet step 4-256-256-2 batch 64 (fwd+bwd+Adam): median %.1f µs, min %.1f µs; loss %.4f -> %.4f",
                     r.medianMicroseconds, r.minMicroseconds, r.firstLoss, r.lastLoss))
        #expect(r.lastLoss < r.firstLoss, "training on a fixed batch must reduce the loss")
    }
}
