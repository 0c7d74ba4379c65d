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
    public var learningRate: Float
    /// Decay rate of the first-moment estimate.
    public let beta1: Float
    /// Decay rate of the second-moment estimate.
    public let beta2: Float
    /// Added to the denominator for numerical stability.
    public let epsilon: Float
    /// Weight decay: L2 added to the gradient, or decoupled (AdamW).
    public let weightDecay: Float
    /// Whether weight decay is decoupled from the gradient (AdamW) instead of added to it.
    public let decoupledWeightDecay: Bool
    /// The number of steps taken.
    public private(set) var stepCount = 0

    private var firstMoments: [[Float]]
    private var secondMoments: [[Float]]

    /// Creates the optimizer with PyTorch's defaults (`lr` 1e-3, betas 0.9/0.999, eps 1e-8).
    public init(parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0, decoupledWeightDecay: Bool = false) {
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
    public static func adamW(parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9,
                             beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01) -> Adam {
        Adam(parameters: parameters, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
             weightDecay: weightDecay, decoupledWeightDecay: true)
    }

    /// Applies one update.
    public func step() {
        stepCount += 1
        // PyTorch computes these scalars in double precision (Python floats), then uses them
        // as float32 factors in the tensor kernels; do the same.
        let t = Double(stepCount), lrD = Double(learningRate)
        let biasCorrection1 = 1 - pow(Double(beta1), t)
        let biasCorrection2 = 1 - pow(Double(beta2), t)
        let stepSize = Float(lrD / biasCorrection1)
        let correction2Sqrt = Float(biasCorrection2.squareRoot())
        let w1 = Float(1 - Double(beta1)), b2 = beta2, w2 = Float(1 - Double(beta2))
        let eps = epsilon, wd = weightDecay
        let coupled = !decoupledWeightDecay && wd != 0
        let shrink = Float(1 - lrD * Double(wd))
        for (i, p) in parameters.enumerated() {
            p.withValueAndGrad { v, g, n in
                withState(&firstMoments, i) { m in
                    withState(&secondMoments, i) { s in
                        if decoupledWeightDecay && wd != 0 {
                            for k in 0..<n { v[k] *= shrink }
                        }
                        for k in 0..<n {
                            let gk = coupled ? g[k] + wd * v[k] : g[k]
                            m[k] += w1 * (gk - m[k])
                            s[k] = s[k] * b2 + w2 * (gk * gk)
                            let denom = s[k].squareRoot() / correction2Sqrt + eps
                            v[k] += -stepSize * (m[k] / denom)
                        }
                    }
                }
            }
        }
    }
}
