import GymCore

/// `count` environments stepped double-buffered: two batches (halves) on one connection, so
/// the daemon steps one half while the caller reads the other's reply and computes its next
/// actions. A synchronous step leaves the daemon idle for a round trip and the client's
/// compute; here one half's request is always in flight.
///
/// ```
/// let env = try DoubleBufferedVectorEnv(connection: c, id: "CartPole-v1", count: 256)
/// var last = try env.reset()
/// for half in 0..<2 { try env.send(half, policy(last[half].observations)) }
/// while training {
///     for half in 0..<2 {
///         let step = try env.receive(half)      // the other half is being stepped meanwhile
///         try env.send(half, policy(step.observations))
///     }
/// }
/// ```
/// Env `i` of half 1 is env `halves[0].count + i` of the whole; seeds follow that numbering.
public final class DoubleBufferedVectorEnv {
    /// The two batches: envs `0..<halves[0].count`, then the rest.
    public let halves: [RemoteVectorEnv]
    /// Number of environments in all.
    public var count: Int { halves[0].count + halves[1].count }
    /// The request in flight per half, nil when none.
    private var pending: [UInt64?] = [nil, nil]

    /// Makes `count` (at least 2) environments of `id` as two batches of `count / 2` and the rest.
    public init(
        connection: GymConnection, id: String, count: Int, seed: UInt64? = nil, kwargs: ValueMap = [:],
        maxEpisodeSteps: Int? = nil, autoreset: AutoresetMode = .nextStep
    ) throws {
        guard count >= 2 else { throw GymError(.invalidArgument, "a double-buffered batch needs at least 2 envs, got \(count)") }
        let first = count / 2
        let a = try RemoteVectorEnv(connection: connection, id: id, count: first, seed: seed, kwargs: kwargs,
                                    maxEpisodeSteps: maxEpisodeSteps, autoreset: autoreset)
        do {
            halves = [a, try RemoteVectorEnv(connection: connection, id: id, count: count - first, seed: seed.map { $0 &+ UInt64(first) },
                                             kwargs: kwargs, maxEpisodeSteps: maxEpisodeSteps, autoreset: autoreset)]
        } catch {
            try? a.close()
            throw error
        }
    }

    /// Resets both halves (no step may be in flight): no seeds, one seed `s` (env i of the whole
    /// gets `s + i`) or one per env.
    public func reset(seeds: [UInt64] = [], options: ValueMap = [:]) throws -> [RemoteVectorEnv.Reset] {
        guard pending.allSatisfy({ $0 == nil }) else { throw GymError(.invalidArgument, "reset with a step in flight: receive it first") }
        let first = halves[0].count
        let split: [[UInt64]]
        switch seeds.count {
        case 0: split = [[], []]
        case 1: split = [[seeds[0]], [seeds[0] &+ UInt64(first)]]
        case count: split = [Array(seeds[..<first]), Array(seeds[first...])]
        default: throw GymError(.invalidArgument, "got \(seeds.count) seeds for \(count) envs")
        }
        return try zip(halves, split).map { try $0.reset(seeds: $1, options: options) }
    }

    /// Sends half `half`'s actions (one array per action leaf, `[halves[half].count, ...]`) without waiting.
    public func send(_ half: Int, _ actions: [NDArray]) throws {
        guard halves.indices.contains(half) else { throw GymError(.invalidArgument, "half \(half) is not 0 or 1") }
        guard pending[half] == nil else { throw GymError(.invalidArgument, "half \(half) already has a step in flight") }
        pending[half] = try halves[half].sendStep(actions)
    }

    /// Waits for half `half`'s step.
    public func receive(_ half: Int) throws -> RemoteVectorEnv.Step {
        guard halves.indices.contains(half), let id = pending[half] else {
            throw GymError(.invalidArgument, "half \(half) has no step in flight")
        }
        pending[half] = nil
        return try halves[half].receiveStep(id)
    }

    /// Receives what is in flight and closes both batches.
    public func close() throws {
        for half in 0..<2 where pending[half] != nil { _ = try? receive(half) }
        var failure: (any Error)?
        for half in halves {
            do { try half.close() } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
    }
}
