import NeuralNet

/// Actions from a deterministic actor network over a `Box` action space.
///
/// Observations are normalised by `observationScaling` before the network sees them; the
/// network's outputs, in units where `[−1, 1]` spans the action bounds (a tanh output layer
/// stays inside them), are stretched over the bounds and clamped into them, so every action
/// is one the daemon accepts. DDPG and TD3 save their actor this way, SAC the mean of its
/// squashed Gaussian, and a Gaussian policy-gradient agent its mean.
public final class ContinuousActorPolicy: ContinuousPolicy {
    /// The network, normalised observation in, action in `[−1, 1]` units out.
    public let network: MLP
    /// How observations are normalised before the network.
    public let observationScaling: BoxScaling
    /// The lowest action, per element.
    public let actionLow: [Float]
    /// The highest action, per element.
    public let actionHigh: [Float]
    private let actionScaling: BoxScaling

    /// Wraps a network whose input is `observationScaling.size` features and whose output is one action.
    public init(network: MLP, observationScaling: BoxScaling, actionLow: [Float], actionHigh: [Float]) {
        precondition(actionLow.count == actionHigh.count && zip(actionLow, actionHigh).allSatisfy { $0 < $1 }, "bad action bounds")
        precondition(network.sizes.first == observationScaling.size && network.sizes.last == actionLow.count,
                     "network sizes \(network.sizes) do not fit \(observationScaling.size) features and \(actionLow.count) action floats")
        precondition(Self.outputActivations.values.contains(network.outputActivation), "an actor's output is tanh or identity")
        self.network = network
        self.observationScaling = observationScaling
        self.actionLow = actionLow
        self.actionHigh = actionHigh
        actionScaling = BoxScaling(low: actionLow.map(Double.init), high: actionHigh.map(Double.init))
    }

    /// The network's input width.
    public var observationSize: Int { observationScaling.size }
    /// Floats per action.
    public var actionCount: Int { actionLow.count }

    /// The actor's outputs for `count` raw observations, in `[−1, 1]` units (before the bounds).
    public func units(_ observations: [Float], count: Int) -> [Float] {
        network.predict(Tensor(shape: [count, observationSize], data: observationScaling.normalize(observations))).data
    }

    /// Actions for `count` raw observations, inside the bounds.
    public func continuousActions(_ observations: [Float], count: Int) -> [Float] {
        bounded(units(observations, count: count))
    }

    /// Stretches `[−1, 1]` units over the bounds and clamps them into the bounds (for noisy or unbounded units).
    public func bounded(_ units: [Float]) -> [Float] {
        let size = actionCount
        return actionScaling.denormalize(units).enumerated().map { index, value in
            min(max(value, actionLow[index % size]), actionHigh[index % size])
        }
    }

    /// The network's state dict (PyTorch `nn.Sequential` names) plus the activations, sizes and both
    /// scalings (`observation_clip` only when normalised observations are clipped).
    public var checkpoint: PolicyCheckpoint {
        PolicyCheckpoint(kind: "continuous_actor", tensors: network.stateDict(), structure: [
            "activation": .string(network.activation.hyperparameterText),
            "output_activation": .string(network.outputActivation == .tanh ? "tanh" : "identity"),
            "sizes": .ints(network.sizes),
            "observation_center": .doubles(observationScaling.center.map(Double.init)),
            "observation_half_width": .doubles(observationScaling.halfWidth.map(Double.init)),
            "action_low": .doubles(actionLow.map(Double.init)),
            "action_high": .doubles(actionHigh.map(Double.init)),
        ].merging(observationScaling.clip.map { ["observation_clip": .double(Double($0))] } ?? [:]) { first, _ in first })
    }

    /// The output activations a saved actor may use, by name.
    static let outputActivations: [String: Activation] = ["tanh": .tanh, "identity": .identity]
}
