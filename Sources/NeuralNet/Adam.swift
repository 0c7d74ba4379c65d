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
        let t = Double(stepCount), lrD = learningRate
        let biasCorrection1 = 1 - pow(beta1, t)
        let biasCorrection2 = 1 - pow(beta2, t)
        let stepSize = Float(lrD / biasCorrection1)
        let correction2Sqrt = Float(biasCorrection2.squareRoot())
        let w1 = Float(1 - beta1), b2 = Float(beta2), w2 = Float(1 - beta2)
        let eps = Float(epsilon), wd = Float(weightDecay)
        let coupled = !decoupledWeightDecay && wd != 0
        let shrink = Float(1 - lrD * weightDecay)
        for (i, p) in parameters.enumerated() {
            p.withValueAndGrad { v, g, n in
                withState(&firstMoments, i) { m in
                    withState(&secondMoments, i) { s in
                        if decoupledWeightDecay && wd != 0 {
                            for k in 0..<n { v[k] *= shrink }
                        }
                        // exp_avg.lerp_(g, 1-β1); exp_avg_sq.mul_(β2).addcmul_(g, g, value=1-β2);
                        // denom = sqrt(v)/√bc2 + ε; p.addcdiv_(m, denom, value=-step_size)
                        var k = 0
                        let wdV = SIMD8(repeating: wd), w1V = SIMD8(repeating: w1), w2V = SIMD8(repeating: w2)
                        let b2V = SIMD8(repeating: b2), c2V = SIMD8(repeating: correction2Sqrt)
                        let epsV = SIMD8(repeating: eps), stepV = SIMD8(repeating: -stepSize)
                        while k + simdWidth <= n {
                            let vk = load8(v, k), mk = load8(m, k)
                            let gk = coupled ? fusedMultiplyAdd(wdV, vk, load8(g, k)) : load8(g, k)
                            let m2 = fusedMultiplyAdd(w1V, gk - mk, mk)
                            let s2 = fusedMultiplyAdd(w2V * gk, gk, load8(s, k) * b2V)
                            let denom = s2.squareRoot() / c2V + epsV
                            store8(m2, m, k)
                            store8(s2, s, k)
                            store8(vk + (stepV * m2) / denom, v, k)
                            k += simdWidth
                        }
                        while k < n {
                            let gk = coupled ? fusedMultiplyAdd(wd, v[k], g[k]) : g[k]
                            m[k] = fusedMultiplyAdd(w1, gk - m[k], m[k])
                            s[k] = fusedMultiplyAdd(w2 * gk, gk, s[k] * b2)
                            let denom = s[k].squareRoot() / correction2Sqrt + eps
                            v[k] += (-stepSize * m[k]) / denom
                            k += 1
                        }
                    }
                }
            }
        }
    }
}
