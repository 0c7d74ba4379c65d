import GymCore
import NeuralNet

/// A policy and a state-value function in one module: observation in, a policy output and
/// `V(s)` out.
///
/// With a shared trunk (the lecture notebook's actor-critic, A2C, A3C) both heads read the same
/// hidden layers; with separate bodies (PPO's usual choice, REINFORCE with a learned baseline)
/// the actor and the critic each have their own. The policy head gives logits for a
/// `Discrete(n)` space or the means of a diagonal Gaussian for a `Box`, whose `log σ` is a
/// state-independent parameter, in units where [−1, 1] spans the action bounds. Observations
/// pass through a fixed `BoxScaling` first, or, with a convolutional torso (image observations),
/// through the torso, which both heads share as CleanRL's `ppo_atari` shares its network.
public final class ActorCriticNetwork: Module {
    /// What the policy head outputs.
    public enum Head: Sendable, Equatable {
        /// Logits over `actions` choices.
        case categorical(actions: Int)
        /// Means of a `dimensions`-dimensional Gaussian, starting at `log σ = initialLogStd`.
        case gaussian(dimensions: Int, initialLogStd: Float)

        /// Floats the policy head outputs (and an action takes in a rollout: 1 for an index).
        var outputSize: Int {
            switch self {
            case .categorical(let actions): return actions
            case .gaussian(let dimensions, _): return dimensions
            }
        }

        /// Whether actions are a Gaussian's (a `Box`).
        var isGaussian: Bool {
            if case .gaussian = self { return true }
            return false
        }
    }

    /// Whether the actor and the critic share their hidden layers.
    public enum Sharing: String, NamedChoice {
        /// One trunk, two heads.
        case shared
        /// A body each.
        case separate
    }

    /// Hidden layers both heads read (empty with separate bodies).
    public let trunk: [Dense]
    /// The actor's own hidden layers (empty with a shared trunk).
    public let actorBody: [Dense]
    /// The critic's own hidden layers (empty with a shared trunk).
    public let criticBody: [Dense]
    /// Logits or Gaussian means.
    public let policyHead: Dense
    /// `V(s)`.
    public let valueHead: Dense
    /// `log σ` of a Gaussian head, `[dimensions]`.
    public let logStd: Parameter?
    /// The activation after every hidden layer.
    public let activation: Activation
    /// The head's kind.
    public let head: Head
    /// Applied to observations before the first layer; running statistics replace it between
    /// rollouts (`rescale`).
    public private(set) var scaling: BoxScaling
    /// The convolutional torso in front of every dense layer, and its design (nil: dense only).
    public let convolution: (design: ConvolutionalTorso, torso: any ImageTorso)?
    /// Where the torso runs outside any training graph (acting).
    private let predictionGraph = Graph()

    /// A network with `hiddenSizes` hidden layers (in the trunk, or in each body).
    ///
    /// The policy head starts near zero (uniform ±0.01), so the first policy is close to
    /// uniform (or to zero-mean), as PPO implementations initialise it.
    public convenience init(scaling: BoxScaling, hiddenSizes: [Int], head: Head, sharing: Sharing,
                            activation: Activation = .tanh, rng: inout SeededRNG) {
        self.init(scaling: scaling, hiddenSizes: hiddenSizes, head: head, sharing: sharing, activation: activation,
                  convolution: nil, rng: &rng)
    }

    /// A network whose dense layers read the features of a convolutional torso of `design`
    /// (drawn first from `rng`), on image observations; the head must be categorical.
    public convenience init(torso design: ConvolutionalTorso, hiddenSizes: [Int], head: Head, sharing: Sharing,
                            activation: Activation = .relu, rng: inout SeededRNG) throws(AgentError) {
        guard case .categorical = head else {
            throw AgentError(.unsupportedEnvironment, "a convolutional torso takes Discrete actions; use --torso mlp for Box actions")
        }
        let torso = try design.build(rng: &rng)
        self.init(scaling: .identity(design.image.count), hiddenSizes: hiddenSizes, head: head, sharing: sharing, activation: activation,
                  convolution: (design, torso), rng: &rng)
    }

    private init(scaling: BoxScaling, hiddenSizes: [Int], head: Head, sharing: Sharing, activation: Activation,
                 convolution: (design: ConvolutionalTorso, torso: any ImageTorso)?, rng: inout SeededRNG) {
        func stack(_ input: Int) -> [Dense] {
            zip([input] + hiddenSizes, hiddenSizes).map { Dense(inputSize: $0, outputSize: $1, rng: &rng) }
        }
        self.convolution = convolution
        let observationSize = convolution?.torso.outputSize ?? scaling.size
        let width = hiddenSizes.last ?? observationSize
        switch sharing {
        case .shared:
            trunk = stack(observationSize)
            actorBody = []
            criticBody = []
        case .separate:
            trunk = []
            actorBody = stack(observationSize)
            criticBody = stack(observationSize)
        }
        policyHead = Dense(inputSize: width, outputSize: head.outputSize, initialization: .uniform(bound: 0.01), rng: &rng)
        valueHead = Dense(inputSize: width, outputSize: 1, rng: &rng)
        if case .gaussian(let dimensions, let initialLogStd) = head {
            logStd = Parameter(Tensor(shape: [dimensions], repeating: initialLogStd))
        } else {
            logStd = nil
        }
        self.activation = activation
        self.head = head
        self.scaling = scaling
    }

    /// Features per observation.
    public var observationSize: Int { scaling.size }

    /// Normalises observations by `scaling` from now on (running statistics of the rollouts seen
    /// so far); the feature count stays. A network on images has no scaling to change.
    public func rescale(_ scaling: BoxScaling) {
        precondition(scaling.size == self.scaling.size && convolution == nil, "a scaling of \(scaling.size) features for \(self.scaling.size)")
        self.scaling = scaling
    }

    /// The head `spec`'s action space needs (categorical for `Discrete`, Gaussian for a float32
    /// `Box`), or why the environment does not fit.
    public static func head(for spec: EnvSpec, initialLogStd: Float) throws(AgentError) -> Head {
        if case .box = spec.actionSpace {
            return .gaussian(dimensions: try ContinuousSpaceLayout(spec).actionSize, initialLogStd: initialLogStd)
        }
        return .categorical(actions: try SpaceLayout(spec).actionCount)
    }

    /// Torso, trunk, bodies and heads, PyTorch-style names (`torso.0.weight`, `trunk.0.weight`,
    /// `policy_head.bias`, `log_std`).
    public var namedParameters: [(name: String, parameter: Parameter)] {
        var out: [(name: String, parameter: Parameter)] = convolution?.torso.namedParameters.map { ("torso.\($0.name)", $0.parameter) } ?? []
        for (prefix, layers) in [("trunk", trunk), ("actor", actorBody), ("critic", criticBody)] {
            for (i, layer) in layers.enumerated() {
                for (name, p) in layer.namedParameters { out.append(("\(prefix).\(2 * i).\(name)", p)) }
            }
        }
        for (name, p) in policyHead.namedParameters { out.append(("policy_head.\(name)", p)) }
        for (name, p) in valueHead.namedParameters { out.append(("value_head.\(name)", p)) }
        if let logStd { out.append(("log_std", logStd)) }
        return out
    }

    /// The parameters the policy's output depends on (all but the critic's own).
    public var actorParameters: [Parameter] {
        (convolution?.torso.parameters ?? []) + (trunk + actorBody + [policyHead]).flatMap(\.parameters) + (logStd.map { [$0] } ?? [])
    }

    /// Observations as the network's input tensor: scaled features, or the torso's `CHW` images.
    public func input(_ observations: [Float], count: Int) -> Tensor {
        if let (design, _) = convolution { return observations.withUnsafeBufferPointer { design.image.input($0, rows: count) } }
        return Tensor(shape: [count, scaling.size], data: scaling.normalize(observations))
    }

    /// The torso's features of an input batch (the input itself without a torso).
    private func features(_ x: Variable) -> Variable {
        guard let (design, torso) = convolution else { return x }
        return torso(ImageVariable(x, shape: design.image.shape))
    }

    /// The torso's features of an input batch outside any training graph.
    private func features(_ x: Tensor) -> Tensor {
        guard let (design, torso) = convolution else { return x }
        predictionGraph.reset()
        return torso(predictionGraph.images(x, shape: design.image.shape)).value
    }

    /// The policy's distribution and `V(s)` (`[batch]`) for a batch of (scaled) observations.
    public func callAsFunction(_ x: Variable) -> (policy: PolicyDistribution, value: Variable) {
        let shared = layers(trunk, features(x))
        let value = valueHead(layers(criticBody, shared)).sum(axis: 1)
        return (distribution(policyHead(layers(actorBody, shared))), value)
    }

    /// The policy's distribution alone, without evaluating the critic.
    public func policy(_ x: Variable) -> PolicyDistribution {
        distribution(policyHead(layers(actorBody, layers(trunk, features(x)))))
    }

    /// The policy head's output and `V(s)` for a batch, outside any graph (acting).
    public func predict(_ x: Tensor) -> (policy: Tensor, value: [Float]) {
        let shared = apply(trunk, features(x))
        let value = valueHead.apply(apply(criticBody, shared)).data
        return (policyHead.apply(apply(actorBody, shared)), value)
    }

    /// The policy head's output alone, outside any graph.
    public func predictPolicy(_ x: Tensor) -> Tensor {
        policyHead.apply(apply(actorBody, apply(trunk, features(x))))
    }

    /// A copy of the actor as a plain MLP, on normalised observations, or with `foldingScaling`
    /// on raw ones (the scaling folded into its first layer).
    public func actorMLP(foldingScaling: Bool) -> MLP {
        var layers = (trunk + actorBody + [policyHead]).map { Dense(weight: $0.weight.value, bias: $0.bias?.value) }
        if foldingScaling { layers[0] = scaling.folded(into: layers[0]) }
        return MLP(layers: layers, activation: activation)
    }

    /// The greedy policy of the actor as it is now, independent of later training: the most
    /// probable action (a plain network on raw observations), or the Gaussian's mean stretched
    /// over the action bounds of `actions`.
    public func greedyPolicy(_ actions: VectorRollout.ActionLayout) -> any Policy {
        switch actions {
        case .discrete:
            if let (design, torso) = convolution {
                // A copy of the torso and the actor's layers, so later training leaves the policy alone.
                var rng = SeededRNG(seed: 0)
                guard let copy = try? design.build(rng: &rng) else { preconditionFailure("rebuilding a \(design.kind) torso") }
                copy.copy(from: torso)
                let dense = (trunk + actorBody + [policyHead]).map { Dense(weight: $0.weight.value, bias: $0.bias?.value) }
                return CategoricalPolicy(network: ConvolutionalNetwork(design: design, torso: copy, layers: dense, activation: activation))
            }
            return CategoricalPolicy(network: actorMLP(foldingScaling: true))
        case .box(let layout):
            return ContinuousActorPolicy(network: actorMLP(foldingScaling: false), observationScaling: scaling,
                                         actionLow: layout.actionLow, actionHigh: layout.actionHigh)
        }
    }

    private func distribution(_ output: Variable) -> PolicyDistribution {
        switch head {
        case .categorical:
            return .categorical(CategoricalDistribution(logits: output))
        case .gaussian:
            guard let logStd else { preconditionFailure("a Gaussian head has log σ") }
            return .gaussian(DiagonalGaussian(mean: output, logStd: output.graph.parameter(logStd)))
        }
    }

    private func layers(_ stack: [Dense], _ x: Variable) -> Variable {
        stack.reduce(x) { activation($1($0)) }
    }

    private func apply(_ stack: [Dense], _ x: Tensor) -> Tensor {
        stack.reduce(x) { activation.apply($1.apply($0)) }
    }
}
