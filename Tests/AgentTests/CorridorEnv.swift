import GymCore

/// A corridor of eight cells with a Dict observation and an offset action space: the smallest
/// environment that needs every part of the observation encoding and an action `start`.
///
/// Observation `Dict(position: Discrete(8, start=10), parity: MultiBinary(1))`, declared
/// position first (Gymnasium's flatten order puts `parity` first). Actions
/// `Discrete(2, start=-1)`: -1 steps left (the wall at cell 0 stops it), 0 steps right. Reaching
/// cell 7 pays +1 and terminates; every other step costs 0.01. The best return is 0.94 (seven
/// steps right); the time limit is 20 steps, in which a random walk seldom gets there.
final class CorridorEnv: Environment {
    private var cell = 0

    func reset(seed: UInt64?, options: ValueMap, observation: UnsafeMutableRawBufferPointer) throws -> ValueMap {
        cell = 0
        write(observation)
        return [:]
    }

    func step(action: UnsafeRawBufferPointer, observation: UnsafeMutableRawBufferPointer) throws -> StepResult {
        cell = action.loadUnaligned(as: Int64.self) == -1 ? max(cell - 1, 0) : cell + 1
        write(observation)
        return cell == 7 ? StepResult(reward: 1, terminated: true) : StepResult(reward: -0.01, terminated: false)
    }

    /// Leaves in declaration order: the position's int64, then the parity's int8.
    private func write(_ observation: UnsafeMutableRawBufferPointer) {
        observation.storeBytes(of: Int64(10 + cell), toByteOffset: 0, as: Int64.self)
        observation.storeBytes(of: Int8(cell % 2), toByteOffset: 8, as: Int8.self)
    }

    static let spec = EnvSpec(
        id: "Corridor-v0",
        observationSpace: .dict([.init("position", .discrete(n: 8, start: 10)), .init("parity", .multiBinary(shape: [1]))]),
        actionSpace: .discrete(n: 2, start: -1), maxEpisodeSteps: 20, rewardThreshold: 0.94) { _ in CorridorEnv() }

    /// The same corridor with `MultiDiscrete([2, 3], start=[-1, 5])` actions: the first part
    /// moves as above, the second (5, 6 or 7) is ignored, so 2 of the 6 joint actions go right.
    static let multiDiscreteSpec: EnvSpec = {
        var spec = CorridorEnv.spec
        spec.id = "CorridorMulti-v0"
        spec.actionSpace = .multiDiscrete(nvec: [2, 3], start: [-1, 5])
        return spec
    }()
}
