/// RMSprop as `torch.optim.RMSprop` (PyTorch's defaults: alpha 0.99, eps 1e-8, not centered, no momentum).
///
/// `g = grad + weightDecay·p`; `v ← α·v + (1−α)·g²`; `avg = √v + ε` (centered: `√(v − ḡ²) + ε`
/// with `ḡ ← ḡ + (1−α)(g − ḡ)`); then `p −= lr·g/avg`, or with momentum
/// `buf ← μ·buf + g/avg; p −= lr·buf`.
public final class RMSProp: Optimizer {
    /// The parameters updated by `step()`.
    public let parameters: [Parameter]
    /// The learning rate.
    public var learningRate: Double
    /// Smoothing constant of the squared-gradient average.
    public let alpha: Double
    /// Added to the denominator for numerical stability (outside the square root, as PyTorch).
    public let epsilon: Double
    /// L2 penalty added to the gradient.
    public let weightDecay: Double
    /// Momentum factor (0 disables it).
    public let momentum: Double
    /// Whether to normalise by the gradient's estimated variance instead of its second moment.
    public let centered: Bool

    private var squareAverages: [[Float]]
    private var gradAverages: [[Float]]
    private var momentumBuffers: [[Float]]

    /// Creates the optimizer with PyTorch's defaults (`lr` 1e-2).
    public init(parameters: [Parameter], learningRate: Double = 1e-2, alpha: Double = 0.99, epsilon: Double = 1e-8,
                weightDecay: Double = 0, momentum: Double = 0, centered: Bool = false) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.alpha = alpha
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.momentum = momentum
        self.centered = centered
        squareAverages = zeroState(for: parameters)
        gradAverages = centered ? zeroState(for: parameters) : []
        momentumBuffers = momentum > 0 ? zeroState(for: parameters) : []
    }

    /// Applies one update.
    public func step() {
        let lr = Float(learningRate), a = Float(alpha), w = Float(1 - alpha), eps = Float(epsilon)
        let wd = Float(weightDecay)
        let mu = Float(momentum)
        for (i, p) in parameters.enumerated() {
            p.withValueAndGrad { v, g, n in
                withState(&squareAverages, i) { sq in
                    for k in 0..<n {
                        let gk = wd != 0 ? fusedMultiplyAdd(wd, v[k], g[k]) : g[k]
                        // square_avg.mul_(α).addcmul_(g, g, value=1-α)
                        sq[k] = fusedMultiplyAdd(w * gk, gk, sq[k] * a)
                    }
                    // The denominator is computed per element below; centered mode needs ḡ first.
                    if centered {
                        withState(&gradAverages, i) { ga in
                            for k in 0..<n {
                                let gk = wd != 0 ? fusedMultiplyAdd(wd, v[k], g[k]) : g[k]
                                ga[k] = fusedMultiplyAdd(w, gk - ga[k], ga[k])
                            }
                            update(v, g, n, wd: wd, lr: lr, mu: mu, i: i) { k in
                                fusedMultiplyAdd(-ga[k], ga[k], sq[k]).squareRoot() + eps
                            }
                        }
                    } else {
                        update(v, g, n, wd: wd, lr: lr, mu: mu, i: i) { k in sq[k].squareRoot() + eps }
                    }
                }
            }
        }
    }

    /// The final parameter (and momentum) update given each element's denominator.
    @inline(__always)
    private func update(_ v: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ n: Int,
                        wd: Float, lr: Float, mu: Float, i: Int, denominator: (Int) -> Float) {
        if mu > 0 {
            withState(&momentumBuffers, i) { buf in
                for k in 0..<n {
                    // buf.mul_(μ).addcdiv_(g, avg); p.add_(buf, alpha=-lr)
                    let gk = wd != 0 ? fusedMultiplyAdd(wd, v[k], g[k]) : g[k]
                    buf[k] = buf[k] * mu + gk / denominator(k)
                    v[k] = fusedMultiplyAdd(-lr, buf[k], v[k])
                }
            }
        } else {
            for k in 0..<n {
                // p.addcdiv_(g, avg, value=-lr), which computes p + (-lr·g)/avg
                let gk = wd != 0 ? fusedMultiplyAdd(wd, v[k], g[k]) : g[k]
                v[k] += (-lr * gk) / denominator(k)
            }
        }
    }
}
