import Foundation

/// Adam (non-AMSGrad), following `torch.optim.Adam`'s single-tensor update operation by operation,
/// so results agree with PyTorch to float32 rounding.
///
/// Per step `t`: `g = grad + weightDecay·p` (L2, coupled); `m ← m + (1−β1)(g − m)`;
/// `v ← β2·v + (1−β2)·g²`; `p ← p − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε)`.
/// With `decoupledWeightDecay` it is AdamW: `p ← p·(1 − lr·weightDecay)` first, and no L2 in `g`.
public final class Adam: Optimizer {
    /// The parameters updated by `step()`.
    public let parameters: [Parameter]
    /// The learning rate.
    public var learningRate: Double
    /// Decay rate of the first-moment estimate.
    public let beta1: Double
    /// Decay rate of the second-moment estimate.
    public let beta2: Double
    /// Added to the denominator for numerical stability.
    public let epsilon: Double
    /// Weight decay: L2 added to the gradient, or decoupled (AdamW).
    public let weightDecay: Double
    /// Whether weight decay is decoupled from the gradient (AdamW) instead of added to it.
    public let decoupledWeightDecay: Bool
    /// The number of steps taken.
    public private(set) var stepCount = 0

    private var firstMoments: [[Float]]
    private var secondMoments: [[Float]]

    /// Creates the optimizer with PyTorch's defaults (`lr` 1e-3, betas 0.9/0.999, eps 1e-8).
    public init(parameters: [Parameter], learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
                epsilon: Double = 1e-8, weightDecay: Double = 0, decoupledWeightDecay: Bool = false) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        firstMoments = zeroState(for: parameters)
        secondMoments = zeroState(for: parameters)
    }

    /// AdamW (`torch.optim.AdamW`), whose default weight decay is 0.01.
    public static func adamW(parameters: [Parameter], learningRate: Double = 1e-3, beta1: Double = 0.9,
                             beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0.01) -> Adam {
        Adam(parameters: parameters, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
             weightDecay: weightDecay, decoupledWeightDecay: true)
    }

    /// Applies one update.
    public func step() {
        stepCount += 1
        // PyTorch computes these scalars in double precision (Python floats), then uses them
        // as float32 factors in the tensor kernels; do the same.
        let t = Double(stepCount)
        let k = Factors(stepSize: Float(learningRate / (1 - pow(beta1, t))),
                        correction2Sqrt: Float((1 - pow(beta2, t)).squareRoot()),
                        w1: Float(1 - beta1), b2: Float(beta2), w2: Float(1 - beta2),
                        eps: Float(epsilon), wd: Float(weightDecay))
        let decoupled = decoupledWeightDecay && weightDecay != 0
        let coupled = !decoupledWeightDecay && weightDecay != 0
        let shrink = Float(1 - learningRate * weightDecay)
        for (i, p) in parameters.enumerated() {
            p.withValueAndGrad { v, g, n in
                withState(&firstMoments, i) { m in
                    withState(&secondMoments, i) { s in
                        if decoupled {
                            for j in 0..<n { v[j] *= shrink }
                        }
                        // Two instantiations so the weight-decay test is not inside the loop.
                        if coupled {
                            Adam.update(v, g, m, s, n, k, coupled: true)
                        } else {
                            Adam.update(v, g, m, s, n, k, coupled: false)
                        }
                    }
                }
            }
        }
    }

    /// Everything `step()` carries from one update to the next: the step count and both moments
    /// per parameter (what a checkpoint saves to resume bit for bit).
    public var moments: (stepCount: Int, first: [Tensor], second: [Tensor]) {
        (stepCount, zip(parameters, firstMoments).map { Tensor(shape: $0.shape, data: $1) },
         zip(parameters, secondMoments).map { Tensor(shape: $0.shape, data: $1) })
    }

    /// Restores `moments` taken from an optimizer over parameters of the same shapes; a count or
    /// a shape that differs throws, naming the first parameter that does not fit.
    public func restore(stepCount: Int, first: [Tensor], second: [Tensor]) throws(ModuleError) {
        // The step count's range is the caller's to check (a checkpoint reader names its file).
        for moments in [first, second] where moments.count != parameters.count {
            throw moments.count < parameters.count ? .missingParameter("adam moment \(moments.count)")
                : .unexpectedParameter("adam moment \(parameters.count)")
        }
        for (index, p) in parameters.enumerated() {
            for moment in [first[index], second[index]] where moment.shape != p.shape {
                throw .shapeMismatch(name: "adam moment \(index)", expected: p.shape, found: moment.shape)
            }
        }
        self.stepCount = stepCount
        firstMoments = first.map(\.data)
        secondMoments = second.map(\.data)
    }

    /// The float32 factors of one step.
    private struct Factors {
        var stepSize, correction2Sqrt, w1, b2, w2, eps, wd: Float
    }

    /// The elementwise update, in torch's order: `g = grad.add(p, alpha=wd)`;
    /// `exp_avg.lerp_(g, 1-β1)`; `exp_avg_sq.mul_(β2).addcmul_(g, g, value=1-β2)`;
    /// `denom = sqrt(v)/√bc2 + ε`; `p.addcdiv_(m, denom, value=-step_size)`.
    @inline(__always)
    private static func update(_ v: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                               _ m: UnsafeMutablePointer<Float>, _ s: UnsafeMutablePointer<Float>,
                               _ n: Int, _ f: Factors, coupled: Bool) {
        var k = 0
        while k + simdWidth <= n {
            lanes(SIMD8<Float>.self, k, v, g, m, s, f, coupled: coupled)
            k += simdWidth
        }
        while k < n {
            lanes(Float.self, k, v, g, m, s, f, coupled: coupled)
            k += 1
        }
    }

    @inline(__always)
    private static func lanes<L: FloatLanes>(_: L.Type, _ k: Int, _ v: UnsafeMutablePointer<Float>,
                                             _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                                             _ s: UnsafeMutablePointer<Float>, _ f: Factors, coupled: Bool) {
        let vk = L.load(v, k), mk = L.load(m, k)
        let gk = coupled ? L.fused(L(repeating: f.wd), vk, L.load(g, k)) : L.load(g, k)
        let m2 = L.fused(L(repeating: f.w1), gk - mk, mk)
        let s2 = L.fused(L(repeating: f.w2) * gk, gk, L.load(s, k) * L(repeating: f.b2))
        let denom = s2.root() / L(repeating: f.correction2Sqrt) + L(repeating: f.eps)
        m2.store(m, k)
        s2.store(s, k)
        (vk + (L(repeating: -f.stepSize) * m2) / denom).store(v, k)
    }
}
