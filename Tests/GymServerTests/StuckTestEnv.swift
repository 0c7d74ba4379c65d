import Foundation
import GymCore

/// A test environment whose step with action 1 does not return until its gate opens: the
/// environment that wedges a worker thread, for the watchdog tests.
final class StuckTestEnv: Environment {
    /// Opens (and closes) the gate every stuck step waits at.
    final class Gate: @unchecked Sendable {
        private let lock = NSLock()
        private var open = false
        private var waiting = 0

        func release() { lock.withLock { open = true } }
        /// Steps waiting at the gate now.
        var stuck: Int { lock.withLock { waiting } }

        func wait() {
            lock.withLock { waiting += 1 }
            while !lock.withLock({ open }) { usleep(1000) }
            lock.withLock { waiting -= 1 }
        }
    }

    private let gate: Gate
    init(gate: Gate) { self.gate = gate }

    func reset(seed: UInt64?, options: ValueMap, observation: UnsafeMutableRawBufferPointer) throws -> ValueMap {
        observation.storeBytes(of: Float(0), as: Float.self)
        return [:]
    }

    func step(action: UnsafeRawBufferPointer, observation: UnsafeMutableRawBufferPointer) throws -> StepResult {
        if action.loadUnaligned(as: Int64.self) == 1 { gate.wait() }
        observation.storeBytes(of: Float(1), as: Float.self)
        return StepResult(reward: 1, terminated: false)
    }

    static func spec(gate: Gate) -> EnvSpec {
        EnvSpec(id: "Stuck-v0", observationSpace: .box(low: -1, high: 1, shape: [1]), actionSpace: .discrete(n: 2),
                maxEpisodeSteps: nil, rewardThreshold: nil) { _ in StuckTestEnv(gate: gate) }
    }
}
