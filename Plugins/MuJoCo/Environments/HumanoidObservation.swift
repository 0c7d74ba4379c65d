import GymCore

/// The observation both humanoids share: `qpos[2:]`, `qvel`, then for every body but the world
/// `cinert` (10 each) and `cvel` (6 each), `qfrc_actuator[6:]`, and `cfrc_ext` (6 each).
enum HumanoidObservation {
    /// Its length for a model.
    static func count(_ simulation: MuJoCoSimulation) -> Int {
        let bodies = simulation.nbody - 1
        return (simulation.nq - 2) + simulation.nv + 10 * bodies + 6 * bodies + (simulation.nv - 6) + 6 * bodies
    }

    /// Writes it.
    static func write(_ simulation: MuJoCoSimulation, into buffer: UnsafeMutableRawBufferPointer) {
        var writer = ObservationWriter(buffer)
        let data = simulation.data.pointee
        let bodies = simulation.nbody
        writer.append(simulation.qpos, from: 2)
        writer.append(simulation.qvel)
        writer.append(UnsafeMutableBufferPointer(start: data.cinert, count: 10 * bodies), from: 10)
        writer.append(UnsafeMutableBufferPointer(start: data.cvel, count: 6 * bodies), from: 6)
        writer.append(UnsafeMutableBufferPointer(start: data.qfrc_actuator, count: simulation.nv), from: 6)
        writer.append(simulation.externalForces, from: 6)
    }

    /// `w · np.sum(np.square(values))` of float64 values, as the humanoids' costs are computed.
    static func weightedSquares(_ weight: Double, _ values: UnsafeMutableBufferPointer<Double>) -> Double {
        weight * NumPySum.sumOfSquares(Array(values))
    }
}
