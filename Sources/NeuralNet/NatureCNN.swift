/// The convolutional torso of the Nature DQN (Mnih et al. 2015), as CleanRL's Atari agents build it:
/// `Conv2d(C, 32, 8, stride 4)`, ReLU, `Conv2d(32, 64, 4, stride 2)`, ReLU, `Conv2d(64, 64, 3, stride 1)`,
/// ReLU, `Flatten`, `Linear(64·h·w, 512)`, ReLU.
///
/// Parameter names follow that `nn.Sequential` (`0.`, `2.`, `4.` for the convolutions, `7.` for the
/// linear layer), so a checkpoint lines up with the PyTorch module. On 84×84 Atari frames the last
/// feature maps are 7×7 and the linear layer reads 3136 features.
public final class NatureCNN: Module {
    /// The shape of one input image (stacked frames as channels).
    public let input: ImageShape
    /// The 8×8 stride-4 convolution.
    public let conv1: Conv2D
    /// The 4×4 stride-2 convolution.
    public let conv2: Conv2D
    /// The 3×3 stride-1 convolution.
    public let conv3: Conv2D
    /// The fully connected layer after flattening.
    public let dense: Dense

    /// The number of features the torso outputs.
    public var outputSize: Int { dense.outputSize }

    /// The smallest input side the three convolutions fit (36 pixels).
    public static let minimumSide = 36

    /// Creates the torso for images of `input`, each layer initialised as PyTorch's default; images
    /// smaller than `minimumSide` on a side (an observation space's choice) are an error.
    public init(input: ImageShape, features: Int = 512, rng: inout SeededRNG) throws(ModuleError) {
        guard input.height >= Self.minimumSide && input.width >= Self.minimumSide else {
            throw .unsupportedImage("the Nature CNN needs images of at least \(Self.minimumSide)×\(Self.minimumSide), got \(input)")
        }
        self.input = input
        conv1 = Conv2D(inputChannels: input.channels, outputChannels: 32, kernelSize: 8, stride: 4, rng: &rng)
        conv2 = Conv2D(inputChannels: 32, outputChannels: 64, kernelSize: 4, stride: 2, rng: &rng)
        conv3 = Conv2D(inputChannels: 64, outputChannels: 64, kernelSize: 3, stride: 1, rng: &rng)
        let maps = conv3.outputShape(for: conv2.outputShape(for: conv1.outputShape(for: input)))
        dense = Dense(inputSize: maps.count, outputSize: features, rng: &rng)
    }

    /// The layers in order, with the index each has in the PyTorch `nn.Sequential`.
    private var indexedLayers: [(index: Int, layer: any Module)] {
        [(0, conv1), (2, conv2), (4, conv3), (7, dense)]
    }

    /// Parameters named as in the equivalent PyTorch `nn.Sequential`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        indexedLayers.flatMap { index, layer in layer.namedParameters.map { ("\(index).\($0.name)", $0.parameter) } }
    }

    /// The forward pass on a batch of images, as graph operations: `[batch, features]`.
    public func callAsFunction(_ x: ImageVariable) -> Variable {
        precondition(x.shape == input, "the torso was built for \(input) images, got \(x.shape)")
        let maps = conv3(conv2(conv1(x).relu()).relu()).relu()
        return dense(Flatten()(maps)).relu()
    }
}
