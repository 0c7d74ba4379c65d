/// A 2-D convolution layer with PyTorch's `nn.Conv2d` layout and defaults: weight
/// `[out, in, k, k]`, bias `[out]`, square kernel, stride and zero padding, dilation 1, one group.
public final class Conv2D: Module {
    /// The `[out, in, k, k]` kernels.
    public let weight: Parameter
    /// The `[out]` bias, if the layer has one.
    public let bias: Parameter?
    /// The step between kernel positions, along both axes.
    public let stride: Int
    /// The zeros added on every side of each input channel.
    public let padding: Int

    /// The number of input channels.
    public var inputChannels: Int { weight.shape[1] }
    /// The number of output channels (kernels).
    public var outputChannels: Int { weight.shape[0] }
    /// The kernel's height and width.
    public var kernelSize: Int { weight.shape[2] }

    /// Creates a layer initialised as PyTorch's `Conv2d` is: weight and bias uniform in ±1/√(in·k·k).
    public init(inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                hasBias: Bool = true, initialization: Initialization = .pytorchDefault, rng: inout SeededRNG) {
        precondition(inputChannels > 0 && outputChannels > 0 && kernelSize > 0, "layer sizes must be positive")
        precondition(stride > 0 && padding >= 0, "stride must be positive and padding non-negative")
        // The weight drawn as [out, in·k·k] is, element for element, torch's [out, in, k, k].
        let (w, b) = initialization.draw(inputSize: inputChannels * kernelSize * kernelSize, outputSize: outputChannels,
                                         rng: &rng)
        weight = Parameter(w.reshaped([outputChannels, inputChannels, kernelSize, kernelSize]))
        bias = hasBias ? Parameter(b) : nil
        self.stride = stride
        self.padding = padding
    }

    /// Creates a layer from given values (weight `[out, in, k, k]`, bias `[out]`).
    public init(weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0) {
        precondition(weight.rank == 4 && weight.shape[2] == weight.shape[3] && weight.count > 0,
                     "weight must be [out, in, k, k], got \(weight.shape)")
        if let bias { precondition(bias.shape == [weight.shape[0]], "bias must be [out]") }
        precondition(stride > 0 && padding >= 0, "stride must be positive and padding non-negative")
        self.weight = Parameter(weight)
        self.bias = bias.map { Parameter($0) }
        self.stride = stride
        self.padding = padding
    }

    /// The parameters as PyTorch names them inside a `Conv2d`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        var out: [(name: String, parameter: Parameter)] = [("weight", weight)]
        if let bias { out.append(("bias", bias)) }
        return out
    }

    /// The shape of the images this layer makes from images of `input`.
    public func outputShape(for input: ImageShape) -> ImageShape {
        precondition(input.channels == inputChannels, "the layer reads \(inputChannels) channels, not \(input.channels)")
        return ConvolutionGeometry(input: input, outputChannels: outputChannels, kernelSize: kernelSize,
                                   stride: stride, padding: padding).output
    }

    /// Applies the layer as a graph operation.
    public func callAsFunction(_ x: ImageVariable) -> ImageVariable {
        x.conv2d(weight: weight, bias: bias, stride: stride, padding: padding)
    }
}
