/// The network of the MinAtar paper (Young & Tian 2019) without its output layer:
/// `Conv2d(C, 16, 3, stride 1)`, ReLU, `Flatten`, `Linear(16·(h−2)·(w−2), 128)`, ReLU.
///
/// Parameter names follow that `nn.Sequential` (`0.` for the convolution, `3.` for the linear
/// layer), so a checkpoint lines up with the PyTorch module. On MinAtar's 10×10 frames the
/// feature maps are 8×8 and the linear layer reads 1024 features.
public final class MinAtarCNN: ImageTorso {
    /// The shape of one input image (the game's object channels).
    public let input: ImageShape
    /// The 3×3 stride-1 convolution.
    public let conv: Conv2D
    /// The fully connected layer after flattening.
    public let dense: Dense

    /// The number of features the torso outputs.
    public var outputSize: Int { dense.outputSize }

    /// The smallest input side the 3×3 convolution fits.
    public static let minimumSide = 3

    /// Creates the torso for images of `input`, each layer initialised as PyTorch's default; images
    /// smaller than `minimumSide` on a side are an error.
    public init(input: ImageShape, filters: Int = 16, features: Int = 128, rng: inout SeededRNG) throws(ModuleError) {
        guard input.height >= Self.minimumSide && input.width >= Self.minimumSide else {
            throw .unsupportedImage("the MinAtar CNN needs images of at least \(Self.minimumSide)×\(Self.minimumSide), got \(input)")
        }
        self.input = input
        conv = Conv2D(inputChannels: input.channels, outputChannels: filters, kernelSize: 3, stride: 1, rng: &rng)
        dense = Dense(inputSize: conv.outputShape(for: input).count, outputSize: features, rng: &rng)
    }

    /// Parameters named as in the equivalent PyTorch `nn.Sequential`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        conv.namedParameters.map { ("0.\($0.name)", $0.parameter) } + dense.namedParameters.map { ("3.\($0.name)", $0.parameter) }
    }

    /// The forward pass on a batch of images, as graph operations: `[batch, features]`.
    public func callAsFunction(_ x: ImageVariable) -> Variable {
        precondition(x.shape == input, "the torso was built for \(input) images, got \(x.shape)")
        return dense(Flatten()(conv(x).relu())).relu()
    }
}
