import GymCore
import NeuralNet

/// Which network reads the observations before an agent's heads.
public enum Torso: String, NamedChoice {
    /// A convolutional torso for image observations (`ImageObservation`), the MinAtar CNN below
    /// `NatureCNN.minimumSide` pixels a side and the Nature CNN from there; dense layers otherwise.
    case auto
    /// Dense layers over the flat features, images included.
    case mlp
    /// The MinAtar paper's one convolution and 128 features (`MinAtarCNN`).
    case minatar
    /// The Nature DQN's three convolutions and 512 features (`NatureCNN`).
    case nature

    /// The convolutional torso this choice puts in front of observations of `space`, nil for
    /// dense layers; an error when a convolutional torso is asked for and `space` has no images.
    public func convolution(for space: Space) throws(AgentError) -> ConvolutionalTorso? {
        let image = ImageObservation(space)
        switch self {
        case .mlp: return nil
        case .auto:
            guard let image else { return nil }
            let large = image.shape.height >= NatureCNN.minimumSide && image.shape.width >= NatureCNN.minimumSide
            return ConvolutionalTorso(kind: large ? .nature : .minatar, image: image)
        case .minatar, .nature:
            guard let image else {
                throw AgentError(.unsupportedEnvironment, "--torso \(rawValue) reads images (a Box of rank 3), not \(space.summary)")
            }
            return ConvolutionalTorso(kind: self == .nature ? .nature : .minatar, image: image)
        }
    }
}

/// A convolutional torso's kind and the images it reads: everything that builds one.
public struct ConvolutionalTorso: Sendable, Equatable {
    /// The two architectures.
    public enum Kind: String, Sendable, CaseIterable {
        /// `MinAtarCNN`.
        case minatar
        /// `NatureCNN`.
        case nature
    }

    /// The architecture.
    public let kind: Kind
    /// How observations become its input.
    public let image: ImageObservation

    /// A fresh torso with PyTorch's default initialisation, or why the images do not fit it.
    public func build(rng: inout SeededRNG) throws(AgentError) -> any ImageTorso {
        do {
            switch kind {
            case .minatar: return try MinAtarCNN(input: image.shape, rng: &rng)
            case .nature: return try NatureCNN(input: image.shape, rng: &rng)
            }
        } catch {
            throw AgentError(.unsupportedEnvironment, error.message)
        }
    }

    /// Scalar parameters of the torso, computed without building it (nil when it does not fit the
    /// images or the count overflows): a saved policy's file must hold at least this many floats
    /// before one is built from its structure.
    public func parameterCount() -> Int? {
        let layers: [(filters: Int, kernel: Int, stride: Int)]
        let features: Int
        switch kind {
        case .minatar: (layers, features) = ([(16, 3, 1)], 128)
        case .nature: (layers, features) = ([(32, 8, 4), (64, 4, 2), (64, 3, 1)], 512)
        }
        var (channels, height, width) = (image.shape.channels, image.shape.height, image.shape.width)
        var total = 0
        for layer in layers {
            guard height >= layer.kernel, width >= layer.kernel else { return nil }
            let weights = channels.multipliedReportingOverflow(by: layer.kernel * layer.kernel * layer.filters)
            guard !weights.overflow else { return nil }
            total += weights.partialValue + layer.filters
            (channels, height, width) = (layer.filters, (height - layer.kernel) / layer.stride + 1, (width - layer.kernel) / layer.stride + 1)
        }
        let flat = (channels * height).multipliedReportingOverflow(by: width)
        let dense = flat.partialValue.multipliedReportingOverflow(by: features)
        guard !flat.overflow, !dense.overflow, total <= Int.max - dense.partialValue - features else { return nil }
        return total + dense.partialValue + features
    }

    /// What a saved policy records to rebuild it.
    var structure: [String: MetadataValue] { image.structure.merging(["torso": .string(kind.rawValue)]) { $1 } }

    /// The torso a saved policy's structure records, or nil when it records none or a bad one.
    init?(structure: [String: MetadataValue]) {
        guard case .string(let name) = structure["torso"], let kind = Kind(rawValue: name),
              let image = ImageObservation(structure: structure) else { return nil }
        self.init(kind: kind, image: image)
    }

    /// A torso of `kind` over `image`.
    public init(kind: Kind, image: ImageObservation) {
        self.kind = kind
        self.image = image
    }
}
