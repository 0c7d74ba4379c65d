import Agents
import NeuralNet
import Testing

@Suite struct HeldExplorationTests {
    /// Durations follow the zeta law: with μ = 2, P(1) = 1/ζ₁₀₀₀₀(2) ≈ 0.608 and P(2) = P(1)/4;
    /// ε = 1 starts a new run whenever the last one ends, so run lengths are the durations.
    @Test func runsHoldTheirActionForZetaDistributedDurations() {
        var held = HeldExploration(exponent: 2, environments: 1)
        var explore = EpsilonGreedy(seed: 5)
        var lengths: [Int: Int] = [:]
        var runs = 0
        var previous = -1
        var length = 0
        var total = 0
        // Run boundaries are read from `remaining`: a fresh run sets it to duration − 1.
        for _ in 0..<200_000 {
            let before = held.runs.remaining[0]
            let action = held.choose(greedy: [7], actionCount: 3, epsilon: 1, explore: &explore)[0]
            #expect((0..<3).contains(action))
            if before == 0 {
                if length > 0 { lengths[length, default: 0] += 1; runs += 1 }
                length = 1
                previous = action
            } else {
                #expect(action == previous, "a run changed its action")
                length += 1
            }
            total += 1
        }
        let p1 = Double(lengths[1, default: 0]) / Double(runs)
        let p2 = Double(lengths[2, default: 0]) / Double(runs)
        #expect(abs(p1 - 0.608) < 0.01, "P(1) = \(p1)")
        #expect(abs(p2 - 0.152) < 0.01, "P(2) = \(p2)")
        #expect(lengths.keys.contains { $0 >= 100 }, "no heavy tail")
        #expect(total == 200_000)
    }

    /// At ε = 0 every choice is greedy; a finished episode ends its environment's run only.
    @Test func greedyAtZeroEpsilonAndEpisodesEndRuns() {
        var held = HeldExploration(exponent: 1.01, environments: 2)
        var explore = EpsilonGreedy(seed: 1)
        #expect(held.choose(greedy: [1, 2], actionCount: 4, epsilon: 0, explore: &explore) == [1, 2])
        var started = false
        for _ in 0..<1000 where !started {
            _ = held.choose(greedy: [1, 2], actionCount: 4, epsilon: 1, explore: &explore)
            started = held.runs.remaining[0] > 0 && held.runs.remaining[1] > 0
        }
        #expect(started)
        let heldSecond = held.runs.actions[1]
        held.endRun(environment: 0)
        held.endRun(environment: 9)
        let next = held.choose(greedy: [1, 2], actionCount: 4, epsilon: 0, explore: &explore)
        #expect(next == [1, heldSecond])
    }

    /// A checkpoint's runs are checked against the run before they are used.
    @Test func checkpointRunsAreValidated() {
        typealias Runs = HeldExploration.Runs
        #expect(Runs(actions: [0, 2], remaining: [0, 5]).isValid(environments: 2, actionCount: 3))
        #expect(!Runs(actions: [0], remaining: [0, 5]).isValid(environments: 2, actionCount: 3))
        #expect(!Runs(actions: [0, 3], remaining: [0, 5]).isValid(environments: 2, actionCount: 3))
        #expect(!Runs(actions: [0, -1], remaining: [0, 5]).isValid(environments: 2, actionCount: 3))
        #expect(!Runs(actions: [0, 1], remaining: [-1, 5]).isValid(environments: 2, actionCount: 3))
        #expect(!Runs(actions: [0, 1], remaining: [0, Int.max]).isValid(environments: 2, actionCount: 3))
    }
}
