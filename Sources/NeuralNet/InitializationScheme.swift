/// Layer-by-layer initialisation schemes for a stack of dense layers.
public enum InitializationScheme: Sendable, Equatable {
    /// Every layer as PyTorch's `nn.Linear` default.
    case pytorchDefault
    /// DDPG (Lillicrap et al. 2016): hidden layers U(±1/√fan_in), the final layer U(±finalBound)
    /// so initial outputs (actions, Q-values) start near zero.
    case ddpgFanIn(finalBound: Float = 3e-3)

    /// The initialisation of layer `index` out of `count`.
    public func initialization(layer index: Int, of count: Int) -> Initialization {
        switch self {
        case .pytorchDefault:
            return .pytorchDefault
        case .ddpgFanIn(let finalBound):
            return index == count - 1 ? .uniform(bound: finalBound) : .pytorchDefault
        }
    }
}
