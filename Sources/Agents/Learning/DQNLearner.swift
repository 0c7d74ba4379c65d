import GymCore
import NeuralNet

/// DQN's learn step, the one single-process DQN and the Ape-X learner share: targets
/// `y = r + γ (1 − terminated) Q_target(s', argmax_a Q(s', a))` (double DQN; the target
/// network's own argmax otherwise), the TD loss, backward, global-norm clipping, an Adam step,
/// and the target network's (soft) update.
///
/// Prioritized replay's importance weights scale every row's loss, under MSE and Huber alike.
/// Without weights (uniform replay) the loss is exactly `Loss.mse` or `Loss.huber`.
final class DQNLearner {
    /// What one step computed; the variables are valid until the next step.
    struct Step {
        /// The (weighted) mean TD loss.
        var loss: Variable
        /// `Q(s, a)` of the batch's rows.
        var q: Variable
        /// `|Q(s, a) − y|` per row, before the update: prioritized replay's new priorities.
        var absoluteErrors: [Float]
    }

    /// The online network.
    let qNetwork: any ScoringNetwork
    /// The network the targets bootstrap from.
    let targetNetwork: any ScoringNetwork
    /// The online network's optimizer.
    let optimizer: Adam
    private let graph = Graph()
    private var targets = Tensor.zeros([0])
    private let gamma: Float
    private let doubleDQN: Bool
    private let loss: DQN.LossKind
    private let maxGradNorm: Double
    private let tau: Float

    /// Networks `observationSize → hidden → actionCount` drawn from `rng` (online first, target a copy).
    convenience init(_ args: DQN.Arguments, observationSize: Int, actionCount: Int, rng: inout SeededRNG) {
        let sizes = [observationSize] + args.hiddenSizes + [actionCount]
        let online = MLP(sizes: sizes, activation: .relu, rng: &rng)
        self.init(args, qNetwork: online, targetNetwork: MLP(sizes: sizes, activation: .relu, rng: &rng))
    }

    /// Networks for `layout`'s observations drawn from `rng` (online first, target a copy): the
    /// convolutional torso `args.torso` picks for image observations with a dense head, else
    /// `observationSize → hidden → actionCount` dense layers.
    convenience init(_ args: DQN.Arguments, layout: SpaceLayout, rng: inout SeededRNG) throws(AgentError) {
        guard let design = try args.torso.convolution(for: layout.observation.space) else {
            self.init(args, observationSize: layout.observationSize, actionCount: layout.actionCount, rng: &rng)
            return
        }
        guard layout.observation.width == design.image.count else {
            throw AgentError(.unsupportedEnvironment, "a convolutional torso reads one image, not \(layout.observation.space.summary)")
        }
        let online = try ConvolutionalNetwork(design: design, outputSize: layout.actionCount, rng: &rng)
        self.init(args, qNetwork: online, targetNetwork: try ConvolutionalNetwork(design: design, outputSize: layout.actionCount, rng: &rng))
    }

    /// Learns with `qNetwork`, bootstrapping from `targetNetwork` (of the same architecture), which starts as its copy.
    init(_ args: DQN.Arguments, qNetwork: any ScoringNetwork, targetNetwork: any ScoringNetwork) {
        self.qNetwork = qNetwork
        self.targetNetwork = targetNetwork
        targetNetwork.copy(from: qNetwork)
        optimizer = Adam(parameters: qNetwork.parameters, learningRate: args.learningRate)
        gamma = Float(args.gamma)
        doubleDQN = args.doubleDQN
        loss = args.loss
        maxGradNorm = args.maxGradNorm
        tau = Float(args.tau)
    }

    /// One gradient step on a batch of `rewards.count` transitions; `weights` are importance
    /// weights per row (nil: uniform replay).
    func learn(observations: Tensor, actions: [Int], rewards: [Float], nextObservations: Tensor, terminated: [Float],
               weights: [Float]? = nil) -> Step {
        let rows = rewards.count
        if targets.shape != [rows] { targets = Tensor.zeros([rows]) }
        let nextValues = targetNetwork.predict(nextObservations)
        let nextActions = doubleDQN ? qNetwork.predict(nextObservations).argmax() : nextValues.argmax()
        for row in 0..<rows {
            let bootstrap = (1 - terminated[row]) * nextValues[row, nextActions[row]]
            targets.data[row] = rewards[row] + gamma * bootstrap
        }
        graph.reset()
        let q = qNetwork.scores(observations, on: graph).gather(indices: actions)
        let total = Self.tdLoss(q, targets: targets, weights: weights.map { Tensor(shape: [rows], data: $0) }, kind: loss)
        optimizer.zeroGrad()
        graph.backward(total)
        if maxGradNorm > 0 { GradientClipping.clipGradNorm(qNetwork.parameters, maxNorm: Float(maxGradNorm)) }
        optimizer.step()
        let errors = zip(q.value.data, targets.data).map { Swift.abs($0 - $1) }
        return Step(loss: total, q: q, absoluteErrors: errors)
    }

    /// Moves the target network toward the online one (`θ' ← τ θ + (1 − τ) θ'`).
    func updateTarget() { targetNetwork.softUpdate(from: qNetwork, tau: tau) }

    /// The mean TD loss of `q` against `targets`, each row's term scaled by its weight when
    /// `weights` are given. Huber's term is written `c (d − c/2)` with `c` the error clamped to
    /// `[−1, 1]`: `d²/2` inside, `|d| − 1/2` outside, gradient `c`, as `Loss.huber`'s.
    static func tdLoss(_ q: Variable, targets: Tensor, weights: Tensor?, kind: DQN.LossKind) -> Variable {
        let graph = q.graph
        guard let weights else { return kind == .huber ? Loss.huber(q, target: targets) : Loss.mse(q, target: targets) }
        let errors = q - graph.constant(targets)
        switch kind {
        case .mse:
            return (errors.square() * graph.constant(weights)).mean()
        case .huber:
            // c (d − c/2) = c (2d − c) / 2: the half goes into the weights.
            let clamped = errors.clamped(min: -1, max: 1)
            let halfWeights = Tensor(shape: weights.shape, data: weights.data.map { $0 / 2 })
            return (clamped * (errors + errors - clamped) * graph.constant(halfWeights)).mean()
        }
    }
}
