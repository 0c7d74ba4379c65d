/// Stochastic gradient descent with optional momentum, as `torch.optim.SGD`.
///
/// With `g = grad + weightDecay·p`: the momentum buffer starts as `g` on the first step, then
/// `buf = momentum·buf + (1 − dampening)·g`; the step direction is `buf`, or `g + momentum·buf`
/// with Nesterov; `p -= lr · direction`.
public final class SGD: Optimizer {
    /// The parameters updated by `step()`.
    public let parameters: [Parameter]
    /// The learning rate.
    public var learningRate: Double
    /// The momentum factor (0 disables momentum).
    public let momentum: Double
    /// Damping of the gradient's contribution to the momentum buffer.
    public let dampening: Double
    /// L2 penalty added to the gradient.
    public let weightDecay: Double
    /// Whether to use Nesterov momentum.
    public let nesterov: Bool

    private var buffers: [[Float]]
    private var started = false

    /// Creates the optimizer; defaults match PyTorch's except the learning rate, which it requires.
    public init(parameters: [Parameter], learningRate: Double, momentum: Double = 0, dampening: Double = 0,
                weightDecay: Double = 0, nesterov: Bool = false) {
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
        let lr = Float(learningRate), mu = Float(momentum), damp = Float(1 - dampening), wd = Float(weightDecay)
        let first = !started
        started = true
        for (i, p) in parameters.enumerated() {
            p.withValueAndGrad { v, g, n in
                // Same operation order and rounding as torch's single-tensor SGD:
                // g = grad.add(p, alpha=wd); buf.mul_(mu).add_(g, alpha=1-damp); p.add_(d, alpha=-lr).
                guard mu != 0 else {
                    for k in 0..<n {
                        let gk = wd != 0 ? fusedMultiplyAdd(wd, v[k], g[k]) : g[k]
                        v[k] = fusedMultiplyAdd(-lr, gk, v[k])
                    }
                    return
                }
                withState(&buffers, i) { buf in
                    for k in 0..<n {
                        let gk = wd != 0 ? fusedMultiplyAdd(wd, v[k], g[k]) : g[k]
                        buf[k] = first ? gk : fusedMultiplyAdd(damp, gk, mu * buf[k])
                        let d = nesterov ? fusedMultiplyAdd(mu, buf[k], gk) : buf[k]
                        v[k] = fusedMultiplyAdd(-lr, d, v[k])
                    }
                }
            }
        }
    }
}
