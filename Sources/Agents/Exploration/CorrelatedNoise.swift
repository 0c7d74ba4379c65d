import Foundation
import NeuralNet

/// Standard-normal exploration noise, optionally correlated in time: per environment and
/// action dimension, `ε_t = β ε_{t−1} + √(1 − β²) ξ_t` with `ξ_t ~ N(0, 1)`.
///
/// Every `ε_t` is still N(0, 1), so an action `μ + σ ε_t` has exactly the Gaussian policy's
/// density and the policy-gradient ratios stay valid; only successive actions lean the same
/// way. On MountainCarContinuous that is the difference between white noise, which almost
/// never reaches the flag, and pushes held long enough to swing the car up (colored noise for
/// on-policy methods, Hollenstein et al. 2024; the same idea as gSDE's held noise).
/// β = 0 is white noise.
public struct CorrelatedNoise {
    /// The correlation β between successive draws, in [0, 1).
    public let correlation: Double
    /// The last draw (internal, as `random`: checkpoints save and restore both).
    var state: [Float]
    var random: SeededRNG

    /// Noise for `count` values (environments × dimensions), drawn from `seed`.
    public init(count: Int, correlation: Double, seed: UInt64) {
        precondition((0..<1).contains(correlation), "the correlation is in [0, 1)")
        self.correlation = correlation
        random = SeededRNG(seed: seed)
        state = []
        state = (0..<count).map { _ in random.nextNormal() }
    }

    /// The next draw of every value.
    public mutating func next() -> [Float] {
        let beta = Float(correlation)
        let fresh = Float((1 - correlation * correlation).squareRoot())
        for index in state.indices { state[index] = beta * state[index] + fresh * random.nextNormal() }
        return state
    }
}

extension RunState {
    /// Tracks correlated noise under `name`: its last draw and its random stream, so a resumed
    /// run draws on exactly where the stopped one would have (the file is checked: the saved
    /// draw must have `noise()`'s size and be finite).
    func track(_ name: String, noise: @escaping () -> CorrelatedNoise, restore: @escaping (CorrelatedNoise) -> Void) {
        track(name, save: {
            let current = noise()
            return (current.random, ["state": Tensor(shape: [current.state.count], data: current.state)])
        }, restore: { (random: SeededRNG, tensors: [String: Tensor]) in
            var current = noise()
            guard let saved = tensors["state"], saved.shape == [current.state.count], saved.data.allSatisfy(\.isFinite) else {
                throw RunStateError("has exploration noise that does not fit \(current.state.count) values")
            }
            current.state = saved.data
            current.random = random
            restore(current)
        })
    }
}
