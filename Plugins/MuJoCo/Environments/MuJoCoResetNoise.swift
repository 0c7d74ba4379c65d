import GymCore

/// How Gymnasium's `reset_model` perturbs the initial velocities.
enum ResetVelocityNoise {
    /// `init_qvel + uniform(-scale, scale, nv)` (Hopper, Walker2d, Swimmer, InvertedPendulum, the humanoids).
    case uniform
    /// `init_qvel + scale * standard_normal(nv)` (HalfCheetah, Ant, InvertedDoublePendulum).
    case scaledStandardNormal
}

extension MuJoCoSimulation {
    /// Gymnasium's reset for most v5 environments: `mj_resetData`, then the initial positions
    /// plus `uniform(-scale, scale, nq)` and the initial velocities plus `velocityNoise`, drawn in
    /// that order from the env's generator (`random`, reseeded when `seed` is given, as
    /// `np_random` is) — the same draws, in the same order, as NumPy's.
    func resetWithNoise(scale: Double, velocityNoise: ResetVelocityNoise, random: inout NumPyGenerator?, seed: UInt64?) {
        var generator = NumPyGenerator.forReset(continuing: random, seed: seed)
        resetData()
        let positionNoise = generator.uniform(low: -scale, high: scale, count: nq)
        let velocities: [Double]
        switch velocityNoise {
        case .uniform:
            velocities = zip(initialVelocities, generator.uniform(low: -scale, high: scale, count: nv)).map { $0 + $1 }
        case .scaledStandardNormal:
            velocities = zip(initialVelocities, generator.standardNormal(count: nv)).map { $0 + scale * $1 }
        }
        random = generator
        setState(positions: zip(initialPositions, positionNoise).map { $0 + $1 }, velocities: velocities)
    }
}
