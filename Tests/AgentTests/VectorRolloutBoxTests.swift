import Agents
import Testing

@Suite struct VectorRolloutBoxTests {
    @Test func boxActionsStepTheBatchAndComeBackInTheTransitions() throws {
        let daemon = try TestDaemon()
        let envs = try VectorRollout(connection: daemon.connection, env: "MountainCarContinuous-v0", count: 3, seed: 4, acceptingBox: true)
        defer { envs.close() }
        guard case .box(let layout) = envs.actionLayout else {
            Issue.record("expected a Box layout")
            return
        }
        #expect(layout.actionSize == 1 && envs.observationSize == 2)
        let first = envs.observations
        let actions: [Float] = [1, -1, 0.5]
        let t = try envs.step(box: actions)
        #expect(t.continuousActions == actions && t.actions.isEmpty)
        #expect(t.observations == first)
        #expect(t.nextObservations == envs.observations)
        // Reward is −0.1 a² away from the flag.
        for (reward, action) in zip(t.rewards, actions) { #expect(abs(reward + 0.1 * Double(action * action)) < 1e-6) }
    }

    @Test func aDiscreteRolloutRefusesBoxActionsAndResetStartsOver() throws {
        let daemon = try TestDaemon()
        #expect(throws: AgentError.self) {
            try VectorRollout(connection: daemon.connection, env: "MountainCarContinuous-v0", count: 2, seed: 1)
        }
        let envs = try VectorRollout(connection: daemon.connection, env: "CartPole-v1", count: 2, seed: 1)
        defer { envs.close() }
        let start = envs.observations
        _ = try envs.step(actions: [0, 1])
        try envs.reset()
        #expect(envs.observations != start, "a reset without seeds continues each environment's stream")
        #expect(envs.observations.allSatisfy { abs($0) <= 0.05 })
    }
}
