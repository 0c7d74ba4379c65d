import Agents
import Testing

@Suite struct ReturnsTests {
    @Test func monteCarloReturnsSumDiscountedRewardsToTheEnd() {
        // G2 = 3, G1 = 2 + 0.5·3 = 3.5, G0 = 1 + 0.5·3.5 = 2.75
        #expect(DiscountedReturns.monteCarlo([1, 2, 3], gamma: 0.5) == [2.75, 3.5, 3])
        #expect(DiscountedReturns.monteCarlo([], gamma: 0.9) == [])
    }

    /// Two environments, three steps, time-major; environment 1's episode ends at step 1.
    @Test func bootstrappedReturnsStopAtEpisodeEndsAndBootstrapElsewhere() {
        let rewards: [Double] = [1, 10, 2, 20, 3, 30]
        let ends = [false, false, false, true, false, false]
        let returns = DiscountedReturns.bootstrapped(rewards: rewards, episodeEnds: ends, bootstrap: [100, 200], gamma: 0.5)
        // env 0: G2 = 3 + 0.5·100 = 53, G1 = 2 + 26.5 = 28.5, G0 = 1 + 14.25 = 15.25
        // env 1: G2 = 30 + 0.5·200 = 130, G1 = 20 (ended), G0 = 10 + 0.5·20 = 20
        #expect(returns == [15.25, 20, 28.5, 20, 53, 130])
    }

    @Test func gaeMatchesHandComputedValues() {
        // One environment, three steps, an episode end at step 1, γ = 0.5, λ = 0.5.
        let (advantages, returns) = GeneralizedAdvantage.estimate(
            rewards: [1, 2, 3], values: [4, 5, 6], episodeEnds: [false, true, false], bootstrap: [8], gamma: 0.5, lambda: 0.5)
        // δ2 = 3 + 0.5·8 − 6 = 1, A2 = 1
        // δ1 = 2 − 5 = −3 (ended), A1 = −3
        // δ0 = 1 + 0.5·5 − 4 = −0.5, A0 = −0.5 + 0.25·(−3) = −1.25
        #expect(advantages == [-1.25, -3, 1])
        #expect(returns == [2.75, 2, 7])
    }

    @Test func gaeWithLambdaOneIsTheBootstrappedReturnMinusTheValue() {
        let rewards: [Double] = [1, -1, 0.5, 2, 0, 1, 3, -2]
        let values: [Double] = [0.3, 0.1, -0.2, 0.7, 1.1, 0.4, 0.9, -0.5]
        let ends = [false, false, true, false, false, false, false, true]
        let bootstrap: [Double] = [1.5, -0.5]
        let (advantages, returns) = GeneralizedAdvantage.estimate(rewards: rewards, values: values, episodeEnds: ends,
                                                                  bootstrap: bootstrap, gamma: 0.9, lambda: 1)
        let expected = DiscountedReturns.bootstrapped(rewards: rewards, episodeEnds: ends, bootstrap: bootstrap, gamma: 0.9)
        for i in rewards.indices {
            #expect(abs(returns[i] - expected[i]) < 1e-12)
            #expect(abs(advantages[i] - (expected[i] - values[i])) < 1e-12)
        }
    }

    @Test func gaeWithLambdaZeroIsTheOneStepTDError() {
        let (advantages, _) = GeneralizedAdvantage.estimate(rewards: [1, 2], values: [0.5, 0.25], episodeEnds: [false, false],
                                                            bootstrap: [2], gamma: 0.5, lambda: 0)
        #expect(advantages == [1 + 0.5 * 0.25 - 0.5, 2 + 0.5 * 2 - 0.25])
    }
}
