import Foundation
import Testing
@testable import NeuralNet

/// One convolution geometry under test: batch, input image, output channels, kernel, stride, padding.
struct ConvolutionCase: Sendable, CustomStringConvertible {
    var batch, channels, height, width, outputs, kernel, stride, padding: Int
    var hasBias = true
    var description: String {
        "\(batch)×\(channels)×\(height)×\(width) → \(outputs) k\(kernel) s\(stride) p\(padding)\(hasBias ? "" : " no bias")"
    }
}

@Suite("Convolutions")
struct ConvolutionTests {
    static let geometries: [ConvolutionCase] = [
        ConvolutionCase(batch: 2, channels: 2, height: 5, width: 6, outputs: 3, kernel: 3, stride: 1, padding: 0),
        ConvolutionCase(batch: 2, channels: 2, height: 7, width: 7, outputs: 2, kernel: 3, stride: 2, padding: 1),
        ConvolutionCase(batch: 1, channels: 2, height: 9, width: 8, outputs: 2, kernel: 4, stride: 2, padding: 2, hasBias: false),
        ConvolutionCase(batch: 2, channels: 1, height: 5, width: 6, outputs: 2, kernel: 5, stride: 3, padding: 4),
        ConvolutionCase(batch: 2, channels: 2, height: 12, width: 12, outputs: 2, kernel: 8, stride: 4, padding: 0),
        ConvolutionCase(batch: 2, channels: 2, height: 10, width: 9, outputs: 2, kernel: 4, stride: 2, padding: 0),
        ConvolutionCase(batch: 3, channels: 3, height: 3, width: 4, outputs: 2, kernel: 1, stride: 1, padding: 0),
    ]

    @Test("Conv2D gradients of input, weight and bias match central differences", arguments: geometries)
    func finiteDifferences(_ c: ConvolutionCase) {
        var rng = SeededRNG(seed: UInt64(c.kernel * 100 + c.stride * 10 + c.padding))
        let shape = ImageShape(channels: c.channels, height: c.height, width: c.width)
        let layer = Conv2D(inputChannels: c.channels, outputChannels: c.outputs, kernelSize: c.kernel, stride: c.stride,
                           padding: c.padding, hasBias: c.hasBias, rng: &rng)
        let x = Parameter(Tensor.uniform([c.batch, shape.count], low: -1, high: 1, rng: &rng))
        let worst = checkParameterGradients([x] + layer.parameters) { graph in
            layer(ImageVariable(graph.parameter(x), shape: shape)).flattened()
        }
        #expect(worst < 1e-2)
    }

    /// tanh rather than ReLU between the convolutions: a nudge of a first-layer weight moves every
    /// pre-activation, and one of them crossing ReLU's kink spoils the difference quotient.
    @Test("a conv, tanh, conv, Flatten, Dense chain back-propagates as central differences say")
    func chain() {
        var rng = SeededRNG(seed: 5)
        let shape = ImageShape(channels: 2, height: 9, width: 9)
        let first = Conv2D(inputChannels: 2, outputChannels: 3, kernelSize: 3, stride: 2, padding: 1, rng: &rng)
        let second = Conv2D(inputChannels: 3, outputChannels: 2, kernelSize: 2, rng: &rng)
        let mapped = second.outputShape(for: first.outputShape(for: shape))
        let dense = Dense(inputSize: mapped.count, outputSize: 3, rng: &rng)
        let x = Parameter(Tensor.uniform([2, shape.count], low: -1, high: 1, rng: &rng))
        let parameters = [x] + first.parameters + second.parameters + dense.parameters
        let worst = checkParameterGradients(parameters) { graph in
            dense(Flatten()(second(first(ImageVariable(graph.parameter(x), shape: shape)).applying(.tanh))))
        }
        #expect(worst < 1e-2)
    }

    /// Images of 2 MiB column matrices each, so the forward pass unrolls and multiplies them one
    /// chunk at a time: every image's output is the direct sum of its receptive field.
    @Test("a batch too large for one chunk convolves every image as the direct formula does")
    func chunkedBatch() {
        var rng = SeededRNG(seed: 12)
        let shape = ImageShape(channels: 2, height: 130, width: 130), batch = 3, k = 4
        let layer = Conv2D(inputChannels: 2, outputChannels: 2, kernelSize: k, rng: &rng)
        let out = layer.outputShape(for: shape)
        let geometry = ConvolutionGeometry(input: shape, outputChannels: 2, kernelSize: k, stride: 1, padding: 0)
        #expect(ConvolutionKernels.imagesPerChunk(geometry) == 1)
        let x = Tensor.uniform([batch, shape.count], low: -1, high: 1, rng: &rng)
        let graph = Graph()
        let y = layer(ImageVariable(graph.constant(x), shape: shape)).variable.value
        let w = layer.weight.value.data, b = layer.bias?.value.data ?? [0, 0]
        var worst: Float = 0
        for n in 0..<batch {
            for o in 0..<2 {
                for (oh, ow) in [(0, 0), (5, 126), (126, 3), (64, 64), (126, 126)] {
                    var sum = b[o]
                    for c in 0..<2 {
                        for i in 0..<k {
                            for j in 0..<k {
                                sum += w[((o * 2 + c) * k + i) * k + j] * x.data[n * shape.count + (c * 130 + oh + i) * 130 + ow + j]
                            }
                        }
                    }
                    worst = max(worst, abs(y.data[n * out.count + (o * out.height + oh) * out.width + ow] - sum))
                }
            }
        }
        #expect(worst < 1e-5)

        // Backward reads the unrolled batch the chunks left: the weight gradient of the batch is
        // the sum of each image's own.
        func weightGradient(_ images: Tensor) -> [Float] {
            layer.weight.zeroGrad()
            layer.bias?.zeroGrad()
            graph.reset()
            let output = layer(ImageVariable(graph.constant(images), shape: shape)).variable
            graph.backward((output * output).sum())
            return layer.weight.grad.data
        }
        let whole = weightGradient(x)
        var summed = [Float](repeating: 0, count: whole.count)
        for n in 0..<batch {
            let image = Tensor(shape: [1, shape.count], data: Array(x.data[(n * shape.count)..<((n + 1) * shape.count)]))
            for (index, value) in weightGradient(image).enumerated() { summed[index] += value }
        }
        let scale = whole.map(abs).max() ?? 1
        #expect(zip(whole, summed).allSatisfy { abs($0 - $1) <= 1e-4 * scale })
    }

    @Test("a convolution's output size follows PyTorch's formula")
    func outputShape() {
        var rng = SeededRNG(seed: 1)
        let atari = ImageShape(channels: 4, height: 84, width: 84)
        let c1 = Conv2D(inputChannels: 4, outputChannels: 32, kernelSize: 8, stride: 4, rng: &rng)
        #expect(c1.outputShape(for: atari) == ImageShape(channels: 32, height: 20, width: 20))
        let padded = Conv2D(inputChannels: 4, outputChannels: 2, kernelSize: 3, stride: 2, padding: 1, rng: &rng)
        #expect(padded.outputShape(for: ImageShape(channels: 4, height: 7, width: 10)) == ImageShape(channels: 2, height: 4, width: 5))
    }

    @Test("Conv2D initialises as torch's Conv2d: uniform within ±1/√(in·k·k), weight then bias")
    func initialization() {
        var rng = SeededRNG(seed: 3)
        let layer = Conv2D(inputChannels: 3, outputChannels: 8, kernelSize: 5, rng: &rng)
        let bound = Initialization.fanInBound(3 * 25)
        #expect(layer.weight.shape == [8, 3, 5, 5] && layer.bias?.shape == [8])
        #expect(layer.weight.value.data.allSatisfy { abs($0) <= bound })
        #expect(layer.weight.value.data.contains { abs($0) > 0.9 * bound }, "draws should span the bound")
        #expect(layer.namedParameters.map(\.name) == ["weight", "bias"])
    }

    @Test("8-bit images scale to byte/255 in CHW order from either layout")
    func imageInput() throws {
        let shape = ImageShape(channels: 3, height: 2, width: 4)
        var rng = SeededRNG(seed: 8)
        // Two images, with 0 and 255 present.
        var chw = (0..<(2 * shape.count)).map { _ in UInt8(rng.nextUniform(low: 0, high: 256).rounded(.down)) }
        chw[0] = 0
        chw[1] = 255
        // The same images with each pixel's channels together.
        var hwc = [UInt8](repeating: 0, count: chw.count)
        for n in 0..<2 {
            for ch in 0..<3 {
                for p in 0..<shape.planeCount { hwc[n * shape.count + p * 3 + ch] = chw[n * shape.count + ch * shape.planeCount + p] }
            }
        }
        let first = try ImageInput.tensor(chw, shape: shape, layout: .channelsFirst)
        let last = try ImageInput.tensor(hwc, shape: shape, layout: .channelsLast)
        #expect(first.shape == [2, shape.count])
        #expect(first == last)
        #expect(first.data[0] == 0 && first.data[1] == 1)
        for (byte, value) in zip(chw, first.data) { #expect(value == Float(byte) / 255) }
        let graph = Graph()
        let onGraph = try graph.images(hwc, shape: shape, layout: .channelsLast)
        #expect(onGraph.batchSize == 2 && onGraph.shape == shape)
        #expect(graph.value(of: onGraph.variable) == first)
    }

    @Test("images a server chose are refused with errors, not traps: torn byte counts, overflowing or tiny extents")
    func hostileImages() throws {
        let shape = ImageShape(channels: 3, height: 2, width: 4)
        #expect(throws: ModuleError.self) { try ImageInput.tensor([UInt8](repeating: 0, count: shape.count + 1), shape: shape, layout: .channelsLast) }
        #expect(throws: ModuleError.self) { try Graph().images([UInt8](repeating: 0, count: 5), shape: shape, layout: .channelsFirst) }
        #expect(throws: ModuleError.self) { try ImageShape(validating: 1 << 31, height: 1 << 31, width: 1 << 31) }
        #expect(throws: ModuleError.self) { try ImageShape(validating: 0, height: 84, width: 84) }
        #expect(throws: ModuleError.self) { try ImageShape(validating: 4, height: -84, width: 84) }
        #expect(try ImageShape(validating: 4, height: 84, width: 84) == ImageShape(channels: 4, height: 84, width: 84))
        var rng = SeededRNG(seed: 3)
        #expect(throws: ModuleError.self) { try NatureCNN(input: ImageShape(channels: 4, height: 10, width: 10), rng: &rng) }
    }

    @Test("the Nature CNN on 84×84×4 frames has CleanRL's layers, names and 3136 flattened features")
    func natureShape() throws {
        var rng = SeededRNG(seed: 2)
        let net = try NatureCNN(input: ImageShape(channels: 4, height: 84, width: 84), rng: &rng)
        #expect(net.dense.inputSize == 3136 && net.outputSize == 512)
        #expect(net.namedParameters.map(\.name) == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias",
                                                    "7.weight", "7.bias"])
        // nn.Sequential's parameter count for the same layers: convolutions 8224 + 32832 + 36928, linear 1606144.
        #expect(net.parameterCount == 8224 + 32832 + 36928 + 1_606_144)
        let graph = Graph()
        let frames = [UInt8](repeating: 128, count: 3 * 4 * 84 * 84)
        let features = net(try graph.images(frames, shape: net.input, layout: .channelsFirst))
        #expect(features.shape == [3, 512])
    }
}
