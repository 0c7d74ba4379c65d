import Foundation
import GymClient
import GymCore

/// A client process's worth of random stepping on one connection: either single environments
/// reset by hand (the first reset seeded, later ones continuing the generator) or a batch with
/// an autoreset mode. Counts every env-step it takes.
struct RandomClient {
    enum Kind {
        case single
        case batch(count: Int, autoreset: AutoresetMode)
    }

    let endpoint: String
    let kind: Kind
    let seed: UInt64
    /// Env-steps to take.
    let steps: Int
    /// Stop stepping at this time even if `steps` are not taken yet.
    var deadline: Date? = nil
    /// Stop stepping once this holds true.
    var stop: LockedBox<Bool>? = nil
    /// Single envs: every finished episode is also appended here as it ends.
    var live: LockedBox<[Episode]>? = nil

    /// A finished episode as the client saw it: Unix times of its reset reply and of its last step's reply.
    struct Episode {
        var startTime: Double
        var endTime: Double
        var seed: UInt64?
        var length: Int
    }

    /// What the client did: env-steps taken, and for single envs the end time of every finished
    /// episode with its seed (nil when unseeded) and length.
    struct Outcome {
        var envSteps = 0
        var episodes: [(endTime: Double, seed: UInt64?, length: Int)] = []
    }

    private var pastDeadline: Bool { deadline.map { Date() > $0 } ?? false || stop?.value == true }

    /// Steps until `steps` env-steps are taken, then closes its environments.
    func run(reseedEveryEpisode: Bool = false) throws -> Outcome {
        let connection = try GymConnection(endpoint: endpoint, timeout: 30, clientName: "recorder test")
        var sampler = NumPyGenerator(seed: seed &+ 1000)
        var outcome = Outcome()
        switch kind {
        case .single:
            let env = try RemoteEnv(connection: connection, id: "CartPole-v1")
            var episodeSeed: UInt64? = seed
            _ = try env.reset(seed: episodeSeed)
            var startTime = Date().timeIntervalSince1970
            var length = 0
            var episodeNumber: UInt64 = 0
            while outcome.envSteps < steps && !pastDeadline {
                let step = try env.step(discrete: sampler.integers(low: 0, high: 2))
                outcome.envSteps += 1
                length += 1
                if step.terminated || step.truncated {
                    let endTime = Date().timeIntervalSince1970
                    outcome.episodes.append((endTime, episodeSeed, length))
                    live?.update { $0.append(Episode(startTime: startTime, endTime: endTime, seed: episodeSeed, length: length)) }
                    episodeNumber += 1
                    episodeSeed = reseedEveryEpisode ? seed &+ episodeNumber : nil
                    _ = try env.reset(seed: episodeSeed)
                    startTime = Date().timeIntervalSince1970
                    length = 0
                }
            }
            try env.close()
        case .batch(let count, let autoreset):
            let envs = try RemoteVectorEnv(connection: connection, id: "CartPole-v1", count: count, seed: seed, autoreset: autoreset)
            _ = try envs.reset()
            while outcome.envSteps < steps && !pastDeadline {
                _ = try envs.step(discrete: (0..<count).map { _ in sampler.integers(low: 0, high: 2) })
                outcome.envSteps += count
            }
            try envs.close()
        }
        return outcome
    }
}

/// Runs clients on threads of their own and returns their outcomes in order.
func runConcurrently(_ clients: [RandomClient], reseedEveryEpisode: Bool = false) throws -> [RandomClient.Outcome] {
    let outcomes = LockedBox([Result<RandomClient.Outcome, Error>?](repeating: nil, count: clients.count))
    let group = DispatchGroup()
    for (index, client) in clients.enumerated() {
        group.enter()
        let thread = Thread {
            let result = Result { try client.run(reseedEveryEpisode: reseedEveryEpisode) }
            outcomes.update { $0[index] = result }
            group.leave()
        }
        thread.start()
    }
    group.wait()
    return try outcomes.value.map { result in
        guard let result else { throw SetupError("a client thread did not report") }
        return try result.get()
    }
}

/// A value shared between a test and the threads it starts.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) { stored = value }

    var value: Value {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }

    func update(_ body: (inout Value) -> Void) {
        lock.lock()
        body(&stored)
        lock.unlock()
    }
}
