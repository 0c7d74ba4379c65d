import Foundation
import GymCore

/// The workers that joined a distributed run and what each call of theirs may plausibly
/// claim: a call names a worker that joined, and claims at most the environment steps that
/// worker could have taken since its previous call (its algorithm's cadence: A3C pushes every
/// `n_steps × num_envs` steps, an Ape-X actor reports every insert), with no more finished
/// episodes than steps and no episode shorter than one step. A fake `Report{env_steps = 10^9}`
/// used to end a run "successfully" in a second.
///
/// Thread-safe: joins and checks arrive on the parameter service's thread.
final class WorkerRoster {
    /// Most environment steps one call may claim.
    let stepsPerCall: Int
    private let lock = NSLock()
    private var joined = 0
    /// The names joining workers gave (host:pid by default), the first `maxNames` of them, each
    /// cut to `maxNameLength` characters: a peer chooses the name, and 3,000 joins with names of
    /// up to a megabyte kept 80 MB of a learner resident.
    private var names: [String] = []
    private static let maxNames = 1024
    private static let maxNameLength = 256

    /// A roster whose workers claim at most `stepsPerCall` steps a call.
    init(stepsPerCall: Int) { self.stepsPerCall = max(0, stepsPerCall) }

    /// Steps a worker takes between calls when it steps `environments` side by side and calls
    /// once it holds `atLeast` steps: `atLeast` rounded up to whole rounds, overflow-safe.
    static func steps(environments: Int, atLeast minimum: Int) -> Int {
        guard environments > 0 else { return 0 }
        let (sum, overflow) = max(0, minimum).addingReportingOverflow(environments - 1)
        return overflow ? Int.max : sum / environments * environments
    }

    /// A joining worker's index; `name` is the one it gave.
    func admit(name: String = "") -> Int {
        lock.withLock {
            if names.count < Self.maxNames { names.append(String(name.prefix(Self.maxNameLength))) }
            joined += 1
            return joined - 1
        }
    }

    /// How many workers joined, and the names of the first of them.
    var joinedNames: (count: Int, names: [String]) { lock.withLock { (joined, names) } }

    /// Throws INVALID_ARGUMENT for a call that no worker of this run could have made.
    func check(worker: Int, stats: EpisodeStats) throws {
        let joined = lock.withLock { self.joined }
        guard worker >= 0, worker < joined else {
            throw GymError(.invalidArgument, "worker \(worker) has not joined this run (\(joined) worker(s) have)")
        }
        guard stats.envSteps >= 0, stats.envSteps <= stepsPerCall else {
            throw GymError(.invalidArgument, "worker \(worker) claims \(stats.envSteps) env steps in one call; it can take at most \(stepsPerCall) between calls")
        }
        guard stats.episodeReturns.count <= stats.envSteps, stats.episodeLengths.count <= stats.envSteps else {
            throw GymError(.invalidArgument, "worker \(worker) claims \(stats.episodeReturns.count) finished episodes in \(stats.envSteps) steps")
        }
        guard stats.episodeLengths.allSatisfy({ $0 >= 1 }) else {
            throw GymError(.invalidArgument, "worker \(worker) claims an episode shorter than one step")
        }
    }
}
