/// Stochastic gradient descent with optional momentum, as `torch.optim.SGD`.
///
/// With `g = grad + weightDecay·p`: the momentum buffer starts as `g` on the first step, then
/// `buf = momentum·buf + (1 − dampening)·g`; the step direction is `buf`, or `g + momentum·buf`
/// with Nesterov; `p -= lr · direction`.
public final class SGD: Optimizer {
    /// The parameters updated by `step()`.
    public let parameters: [Parameter]
    /// The learning rate.
    public var learningRate: Float
    /// The momentum factor (0 disables momentum).
    public let momentum: Float
    /// Damping of the gradient's contribution to the momentum buffer.
    public let dampening: Float
    /// L2 penalty added to the gradient.
    public let weightDecay: Float
    /// Whether to use Nesterov momentum.
    public let nesterov: Bool

    private var buffers: [[Float]]
    private var started = false

    /// Creates the optimizer; defaults match PyTorch's except the learning rate, which it requires.
    public init(parameters: [Parameter], learningRate: Float, momentum: Float = 0, dampening: Float = 0,
                weightDecay: Float = 0, nesterov: Bool = false) {
        precondition(!nesterov || (momentum > 0 && dampening == 0), "Nesterov needs momentum and no dampening")
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        buffers = momentum != 0 ? zeroState(for: parameters) : []
    }

    /// Applies one update.
    public func step() {
        let lr = learningRate, mu = momentum, damp = 1 - dampening, wd = weightDecay
        let first = !started
        started = true
        for (i, p) in parameters.enumerated() {
            p.withValueAndGrad { v, g, n in
                guard mu != 0 else {
                    for k in 0..<n { v[k] += -lr * (g[k] + wd * v[k]) }
                    return
                }
                withState(&buffers, i) { buf in
                    for k in 0..<n {
                        let gk = wd != 0 ? g[k] + wd * v[k] : g[k]
                        buf[k] = first ? gk : mu * buf[k] + damp * gk
                        let d = nesterov ? gk + mu * buf[k] : buf[k]
                        v[k] += -lr * d
                    }
                }
            }
        }
    }
}
