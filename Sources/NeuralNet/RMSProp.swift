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
        let f = Factors(lr: Float(learningRate), alpha: Float(alpha), w: Float(1 - alpha), eps: Float(epsilon),
                        wd: Float(weightDecay), mu: Float(momentum))
        for (i, p) in parameters.enumerated() {
            p.withValueAndGrad { v, g, n in
                withState(&squareAverages, i) { sq in
                    switch (centered, momentum > 0) {
                    case (false, false):
                        RMSProp.update(v, g, sq, nil, nil, n, f)
                    case (true, false):
                        withState(&gradAverages, i) { ga in RMSProp.update(v, g, sq, ga, nil, n, f) }
                    case (false, true):
                        withState(&momentumBuffers, i) { buf in RMSProp.update(v, g, sq, nil, buf, n, f) }
                    case (true, true):
                        withState(&gradAverages, i) { ga in
                            withState(&momentumBuffers, i) { buf in RMSProp.update(v, g, sq, ga, buf, n, f) }
                        }
                    }
                }
            }
        }
    }

    /// The float32 factors of one step.
    private struct Factors {
        var lr, alpha, w, eps, wd, mu: Float
    }

    /// Same operation order and rounding as torch's single-tensor RMSprop:
    /// `g = grad.add(p, alpha=wd)`; `square_avg.mul_(α).addcmul_(g, g, value=1-α)`;
    /// centered: `grad_avg.lerp_(g, 1-α)`, `avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()`,
    /// else `avg = square_avg.sqrt()`; `avg.add_(ε)`; with momentum `buf.mul_(μ).addcdiv_(g, avg)`,
    /// `p.add_(buf, alpha=-lr)`, else `p.addcdiv_(g, avg, value=-lr)`.
    @inline(__always)
    private static func update(_ v: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                               _ sq: UnsafeMutablePointer<Float>, _ ga: UnsafeMutablePointer<Float>?,
                               _ buf: UnsafeMutablePointer<Float>?, _ n: Int, _ f: Factors) {
        var k = 0
        while k + simdWidth <= n {
            lanes(SIMD8<Float>.self, k, v, g, sq, ga, buf, f)
            k += simdWidth
        }
        while k < n {
            lanes(Float.self, k, v, g, sq, ga, buf, f)
            k += 1
        }
    }

    @inline(__always)
    private static func lanes<L: FloatLanes>(_: L.Type, _ k: Int, _ v: UnsafeMutablePointer<Float>,
                                             _ g: UnsafePointer<Float>, _ sq: UnsafeMutablePointer<Float>,
                                             _ ga: UnsafeMutablePointer<Float>?, _ buf: UnsafeMutablePointer<Float>?,
                                             _ f: Factors) {
        let vk = L.load(v, k)
        let gk = f.wd != 0 ? L.fused(L(repeating: f.wd), vk, L.load(g, k)) : L.load(g, k)
        let s2 = L.fused(L(repeating: f.w) * gk, gk, L.load(sq, k) * L(repeating: f.alpha))
        s2.store(sq, k)
        var variance = s2
        if let ga {
            let a = L.load(ga, k)
            let a2 = L.fused(L(repeating: f.w), gk - a, a)
            a2.store(ga, k)
            variance = L.fused(L(repeating: 0) - a2, a2, s2)
        }
        let avg = variance.root() + L(repeating: f.eps)
        if let buf {
            let b = L.load(buf, k) * L(repeating: f.mu) + gk / avg
            b.store(buf, k)
            L.fused(L(repeating: -f.lr), b, vk).store(v, k)
        } else {
            (vk + (L(repeating: -f.lr) * gk) / avg).store(v, k)
        }
    }
}
