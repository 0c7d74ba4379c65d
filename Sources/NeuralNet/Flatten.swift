/// PyTorch's `nn.Flatten()`: a batch of images becomes `[batch, C·H·W]` features in `CHW` order.
///
/// Images already sit on the graph in that layout, so flattening moves nothing.
public struct Flatten: Sendable {
    /// Creates the layer.
    public init() {}

    /// The images' values as `[batch, C·H·W]` features.
    public func callAsFunction(_ x: ImageVariable) -> Variable { x.flattened() }
}

extension ImageVariable {
    /// The images' values as `[batch, C·H·W]` features, the order of PyTorch's `flatten(start_dim=1)`.
    public func flattened() -> Variable { variable }

    /// Applies an elementwise activation to every pixel of every channel.
    public func applying(_ activation: Activation) -> ImageVariable {
        switch activation {
        case .softmax, .logSoftmax:
            preconditionFailure("\(activation) normalises rows; apply it to flattened features, not to images")
        default:
            return ImageVariable(activation(variable), shape: shape)
        }
    }

    /// Elementwise `max(0, x)`.
    public func relu() -> ImageVariable { applying(.relu) }
}
