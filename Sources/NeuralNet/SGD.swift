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
        let f = Factors(lr: Float(learningRate), mu: Float(momentum), damp: Float(1 - dampening),
                        wd: Float(weightDecay), first: !started, nesterov: nesterov)
        started = true
        for (i, p) in parameters.enumerated() {
            p.withValueAndGrad { v, g, n in
                if f.mu == 0 {
                    SGD.update(v, g, nil, n, f)
                } else {
                    withState(&buffers, i) { buf in SGD.update(v, g, buf, n, f) }
                }
            }
        }
    }

    /// The float32 factors of one step.
    private struct Factors {
        var lr, mu, damp, wd: Float
        var first, nesterov: Bool
    }

    /// Same operation order and rounding as torch's single-tensor SGD: `g = grad.add(p, alpha=wd)`;
    /// `buf = g` on the first step, else `buf.mul_(μ).add_(g, alpha=1-dampening)`;
    /// `d = g.add(buf, alpha=μ)` (Nesterov) or `buf`; `p.add_(d, alpha=-lr)`.
    @inline(__always)
    private static func update(_ v: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                               _ buf: UnsafeMutablePointer<Float>?, _ n: Int, _ f: Factors) {
        var k = 0
        while k + simdWidth <= n {
            lanes(SIMD8<Float>.self, k, v, g, buf, f)
            k += simdWidth
        }
        while k < n {
            lanes(Float.self, k, v, g, buf, f)
            k += 1
        }
    }

    @inline(__always)
    private static func lanes<L: FloatLanes>(_: L.Type, _ k: Int, _ v: UnsafeMutablePointer<Float>,
                                             _ g: UnsafePointer<Float>, _ buf: UnsafeMutablePointer<Float>?,
                                             _ f: Factors) {
        let vk = L.load(v, k)
        let gk = f.wd != 0 ? L.fused(L(repeating: f.wd), vk, L.load(g, k)) : L.load(g, k)
        var d = gk
        if let buf {
            let b = f.first ? gk : L.fused(L(repeating: f.damp), gk, L(repeating: f.mu) * L.load(buf, k))
            b.store(buf, k)
            d = f.nesterov ? L.fused(L(repeating: f.mu), b, gk) : b
        }
        L.fused(L(repeating: -f.lr), d, vk).store(v, k)
    }
}
