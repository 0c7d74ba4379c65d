import Testing
@testable import NeuralNet

@Suite("Seeded RNG, initialisation and modules")
struct InitializationTests {
    @Test("the same seed gives the same stream; different seeds differ")
    func determinism() {
        var a = SeededRNG(seed: 42), b = SeededRNG(seed: 42), c = SeededRNG(seed: 43)
        let sa = (0..<100).map { _ in a.next() }, sb = (0..<100).map { _ in b.next() }
        let sc = (0..<100).map { _ in c.next() }
        #expect(sa == sb)
        #expect(sa != sc)
        // Seed 0 must not give the all-zero xoshiro state (which would output zeros forever).
        var z = SeededRNG(seed: 0)
        #expect((0..<4).map { _ in z.next() }.contains { $0 != 0 })
    }

    @Test("the generator is the published xoshiro256** seeded by SplitMix64")
    func referenceVectors() {
        // xoshiro256** from state {1, 2, 3, 4}: the reference implementation's first outputs.
        var x = SeededRNG(state: (1, 2, 3, 4))
        #expect((0..<4).map { _ in x.next() } == [11520, 0, 1_509_978_240, 1_215_971_899_390_074_240])
        // SplitMix64 from 0: its well-known first output.
        var sm: UInt64 = 0
        sm &+= 0x9E37_79B9_7F4A_7C15
        var z = sm
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        #expect(z ^ (z >> 31) == 0xE220_A839_7B1D_CDAF)
    }

    @Test("a seed pins the stream and the weights: these values must never change")
    func pinnedStream() {
        var rng = SeededRNG(seed: 12345)
        #expect((0..<3).map { _ in rng.next() } == [0xBE6A_3637_4160_D49B, 0x214A_AA06_37A6_88C6, 0xF69D_16DE_9954_D388])
        var draws = SeededRNG(seed: 12345)
        #expect((0..<3).map { _ in draws.nextUniform() } == [0.74380815, 0.13004553, 0.96333444])
        #expect((0..<3).map { _ in draws.nextNormal() } == [-0.29606074, -0.10697282, 0.078687586])
        #expect((0..<5).map { _ in draws.nextInt(below: 10) } == [2, 3, 9, 7, 5])
        var weights = SeededRNG(seed: 1)
        let net = MLP(sizes: [4, 256, 256, 2], rng: &weights)
        #expect(Array(net.layers[0].weight.value.data.prefix(3)) == [0.20292181, 0.020436585, 0.07410568])
        #expect(Array(net.layers[2].bias?.value.data.suffix(2) ?? []) == [0.02421812, -0.009696983])
    }

    @Test("uniform and normal draws have the right range and moments")
    func moments() {
        var rng = SeededRNG(seed: 7)
        let n = 200_000
        var sum = 0.0, sumSq = 0.0, lo: Float = 1, hi: Float = 0
        for _ in 0..<n {
            let u = rng.nextUniform()
            lo = min(lo, u)
            hi = max(hi, u)
        }
        #expect(lo >= 0 && lo < 1e-3 && hi < 1 && hi > 0.999)
        for _ in 0..<n {
            let z = Double(rng.nextNormal())
            sum += z
            sumSq += z * z
        }
        let mean = sum / Double(n), variance = sumSq / Double(n) - mean * mean
        #expect(abs(mean) < 0.01)
        #expect(abs(variance - 1) < 0.02)
        for _ in 0..<1000 {
            let k = rng.nextInt(below: 5)
            #expect(k >= 0 && k < 5)
        }
    }

    @Test("an MLP has PyTorch's parameter names, shapes and default init bounds")
    func mlpLayout() {
        var rng = SeededRNG(seed: 1)
        let net = MLP(sizes: [4, 256, 256, 2], activation: .relu, rng: &rng)
        #expect(net.namedParameters.map(\.name) == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"])
        #expect(net.namedParameters.map(\.parameter.shape) == [[256, 4], [256], [256, 256], [256], [2, 256], [2]])
        #expect(net.parameterCount == 4 * 256 + 256 + 256 * 256 + 256 + 256 * 2 + 2)
        for (i, layer) in net.layers.enumerated() {
            let bound = 1 / Float(layer.inputSize).squareRoot()
            for p in layer.parameters {
                let m = p.value.data.map(abs).max() ?? 0
                #expect(m <= bound, "layer \(i) exceeds U(±1/√fan_in)")
                // With ≥ 256 draws the largest magnitude comes close to the bound.
                if p.value.count >= 256 { #expect(m > 0.95 * bound, "layer \(i) does not fill its range") }
            }
        }
    }

    @Test("DDPG fan-in initialisation: hidden layers U(±1/√fan_in), final layer U(±3e-3)")
    func ddpgInit() {
        var rng = SeededRNG(seed: 2)
        let net = MLP(sizes: [3, 400, 300, 1], initialization: .ddpgFanIn(), rng: &rng)
        #expect((net.layers[1].weight.value.data.map(abs).max() ?? 0) > 0.9 / Float(400).squareRoot())
        #expect((net.layers[1].weight.value.data.map(abs).max() ?? 1) <= 1 / Float(400).squareRoot())
        let last = net.layers[2].weight.value.data.map(abs).max() ?? 1
        #expect(last <= 3e-3 && last > 2.5e-3)
        #expect((net.layers[2].bias?.value.data.map(abs).max() ?? 1) <= 3e-3)
    }

    @Test("the same seed gives identical weights; a different seed does not")
    func seededWeights() {
        var r1 = SeededRNG(seed: 9), r2 = SeededRNG(seed: 9), r3 = SeededRNG(seed: 10)
        let a = MLP(sizes: [4, 32, 2], rng: &r1), b = MLP(sizes: [4, 32, 2], rng: &r2), c = MLP(sizes: [4, 32, 2], rng: &r3)
        #expect(a.stateDict() == b.stateDict())
        #expect(a.stateDict() != c.stateDict())
    }

    @Test("copy(from:) and softUpdate(from:tau:) update target networks in place")
    func targetUpdates() {
        var rng = SeededRNG(seed: 4)
        let online = MLP(sizes: [3, 5, 2], rng: &rng)
        let target = MLP(sizes: [3, 5, 2], rng: &rng)
        let before = target.stateDict()
        let targetWeight = target.layers[0].weight
        target.softUpdate(from: online, tau: 0.25)
        #expect(target.layers[0].weight === targetWeight, "update must be in place")
        for (name, p) in target.namedParameters {
            let src = online.stateDict()[name]?.data ?? [], old = before[name]?.data ?? []
            for k in p.value.data.indices {
                #expect(abs(p.value.data[k] - (0.25 * src[k] + 0.75 * old[k])) <= 1e-6)
            }
        }
        target.copy(from: online)
        #expect(target.stateDict() == online.stateDict())
        online.layers[0].weight.value.data[0] += 1
        #expect(target.stateDict() != online.stateDict(), "copy must not alias the source's storage")
    }

    @Test("predict (no graph) equals the graph forward pass")
    func predictMatchesGraph() {
        var rng = SeededRNG(seed: 6)
        for act in [Activation.relu, .tanh, .elu, .sigmoid] {
            let net = MLP(sizes: [5, 7, 3], activation: act, outputActivation: .softmax, rng: &rng)
            let x = Tensor.normal([4, 5], rng: &rng)
            let g = Graph()
            #expect(net.predict(x) == g.value(of: net(g.constant(x))))
            let single = Tensor.normal([5], rng: &rng)
            #expect(net.predict(single).shape == [3])
        }
    }
}
