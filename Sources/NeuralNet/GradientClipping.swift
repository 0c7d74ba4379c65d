/// Gradient clipping by global norm, as `torch.nn.utils.clip_grad_norm_`.
public enum GradientClipping {
    /// Scales all gradients by `maxNorm / (total + 1e-6)` when their total L2 norm exceeds
    /// `maxNorm`, leaving them alone otherwise. Returns the total norm before clipping.
    @discardableResult
    public static func clipGradNorm(_ parameters: [Parameter], maxNorm: Float) -> Float {
        // Sum of squares in double so that many large gradients neither overflow nor lose digits.
        var sumSquares = 0.0
        for p in parameters {
            p.grad.data.withUnsafeBufferPointer { g in
                for x in g { sumSquares += Double(x) * Double(x) }
            }
        }
        let total = Float(sumSquares.squareRoot())
        let coefficient = maxNorm / (total + 1e-6)
        if coefficient < 1 {
            for p in parameters {
                p.grad.data.withUnsafeMutableBufferPointer { g in
                    for k in g.indices { g[k] *= coefficient }
                }
            }
        }
        return total
    }
}
