// The network library's training and acting steps, timed one model at a time, for
// scripts/bench-nn (which runs PyTorch's equivalents in the same run and compares).
//
//   NNBench MODEL [--batch N] [--iterations N] [--warmup N] [--forward-only]
//
// MODEL: `mlp` (17-256-256-6 ReLU MLP, MSE loss: a MuJoCo actor or critic's shape) or
// `nature-cnn` (the Nature-DQN torso on 4×84×84 uint8 frames, then a 6-action linear head,
// MSE loss). One training step is forward + backward + Adam; `--forward-only` times acting
// (a forward pass without a backward). Prints one JSON
// line: the median and minimum microseconds per step and the process CPU microseconds per step.
// (OpenBLAS is set to one thread by the library on first use.)
import Foundation
import NeuralNet

struct Options {
    var model = ""
    var batch = 256
    var iterations = 200
    var warmup = 20
    var forwardOnly = false

    static func parse(_ arguments: [String]) -> Options? {
        var options = Options()
        var rest = arguments[...]
        guard let model = rest.popFirst(), ["mlp", "nature-cnn"].contains(model) else { return nil }
        options.model = model
        while let flag = rest.popFirst() {
            switch flag {
            case "--forward-only": options.forwardOnly = true
            case "--batch", "--iterations", "--warmup":
                guard let text = rest.popFirst(), let value = Int(text), (1...1_000_000).contains(value) else { return nil }
                if flag == "--batch" { options.batch = value } else if flag == "--iterations" { options.iterations = value } else { options.warmup = value }
            default: return nil
            }
        }
        return options
    }
}

/// CPU time of this process so far, in microseconds.
func processCPUMicroseconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let user = Double(usage.ru_utime.tv_sec) * 1e6 + Double(usage.ru_utime.tv_usec)
    let system = Double(usage.ru_stime.tv_sec) * 1e6 + Double(usage.ru_stime.tv_usec)
    return user + system
}

/// Times `step` `iterations` times after `warmup` untimed calls.
func measure(iterations: Int, warmup: Int, _ step: () -> Void) -> (median: Double, minimum: Double, cpu: Double) {
    for _ in 0..<warmup { step() }
    var times: [Double] = []
    times.reserveCapacity(iterations)
    let clock = ContinuousClock()
    let cpuStart = processCPUMicroseconds()
    for _ in 0..<iterations {
        let start = clock.now
        step()
        let elapsed = clock.now - start
        times.append(Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) * 1e-12)
    }
    let cpu = (processCPUMicroseconds() - cpuStart) / Double(iterations)
    times.sort()
    return (times[times.count / 2], times[0], cpu)
}

guard let options = Options.parse(Array(CommandLine.arguments.dropFirst())) else {
    FileHandle.standardError.write(Data("usage: NNBench mlp|nature-cnn [--batch N] [--iterations N] [--warmup N] [--forward-only]\n".utf8))
    exit(2)
}
var rng = SeededRNG(seed: 0)
let graph = Graph()
let result: (median: Double, minimum: Double, cpu: Double)
switch options.model {
case "mlp":
    let net = MLP(sizes: [17, 256, 256, 6], activation: .relu, rng: &rng)
    let adam = Adam(parameters: net.parameters, learningRate: 3e-4)
    let x = Tensor.normal([options.batch, 17], rng: &rng), y = Tensor.normal([options.batch, 6], rng: &rng)
    result = measure(iterations: options.iterations, warmup: options.warmup) {
        if options.forwardOnly {
            _ = net.predict(x)
            return
        }
        graph.reset()
        adam.zeroGrad()
        graph.backward(Loss.mse(net(graph.constant(x)), target: y))
        adam.step()
    }
default:
    let shape = ImageShape(channels: 4, height: 84, width: 84)
    let torso = try NatureCNN(input: shape, rng: &rng)
    let head = Dense(inputSize: torso.outputSize, outputSize: 6, rng: &rng)
    let adam = Adam(parameters: torso.parameters + head.parameters, learningRate: 2.5e-4)
    let frames = (0..<(options.batch * shape.count)).map { _ in UInt8.random(in: 0...255, using: &rng) }
    let y = Tensor.normal([options.batch, 6], rng: &rng)
    result = measure(iterations: options.iterations, warmup: options.warmup) {
        graph.reset()
        guard let images = try? graph.images(frames, shape: shape, layout: .channelsFirst) else { return }
        let out = head(torso(images))
        if options.forwardOnly {
            _ = graph.value(of: out)
            return
        }
        adam.zeroGrad()
        graph.backward(Loss.mse(out, target: y))
        adam.step()
    }
}
print("{\"model\": \"\(options.model)\", \"batch\": \(options.batch), \"forward_only\": \(options.forwardOnly), "
    + "\"median_us\": \(result.median), \"min_us\": \(result.minimum), \"cpu_us\": \(result.cpu)}")
