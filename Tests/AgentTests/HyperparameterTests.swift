import Agents
import Foundation
import Testing

@Suite struct HyperparameterTests {
    @Test func flagsAndKeysComeFromTheFieldName() {
        let entries = DQN.Arguments().entries
        let double = entries.first { $0.key == "double_dqn" }
        #expect(double?.flag == "double-dqn")
        #expect(double?.isFlag == true)
        #expect(entries.first { $0.key == "target_update_interval" }?.flag == "target-update-interval")
        #expect(entries.first { $0.key == "learning_rate" }?.value == "0.001")
    }

    @Test func parsingSetsValuesExactlyAndKeepsTheRest() throws {
        let args = try DQN.Arguments().parsing(["--learning-rate", "0.00025", "--no-double-dqn", "--hidden-sizes=128,32",
                                                "--exploration", "constant:0.1", "--loss", "huber", "--reward-clip", "1"])
        #expect(args.learningRate == Double("0.00025"))
        #expect(args.doubleDQN == false)
        #expect(args.hiddenSizes == [128, 32])
        #expect(args.exploration == .constant(0.1))
        #expect(args.loss == .huber)
        #expect(args.rewardClip == 1)
        #expect(args.batchSize == DQN.Arguments().batchSize)
    }

    @Test func aliasesKeepOlderSpellings() throws {
        #expect(try Tabular.Arguments(method: .sarsa).parsing(["--alpha", "0.25"]).learningRate == 0.25)
        #expect(try SAC.Arguments().parsing(["--alpha", "0.2"]).fixedAlpha == 0.2)
        #expect(try SAC.Arguments().parsing(["--actor-lr", "0.0003"]).common.actorLearningRate == 0.0003)
        #expect(try DDPG.Arguments().parsing(["--ou-theta", "0.3"]).noiseTheta == 0.3)
    }

    @Test func nestedSetsShareOneNamespace() throws {
        let td3 = try TD3.Arguments().parsing(["--total-steps", "77", "--policy-delay", "3"])
        #expect(td3.common.totalSteps == 77)
        #expect(td3.policyDelay == 3)
        let apex = try ApeXLearner.Arguments().parsing(["--actors", "2", "--batch-size", "16"])
        #expect(apex.actors == 2)
        #expect(apex.dqn.batchSize == 16)
        #expect(apex.hyperparameters["batch_size"] == .int(16))
    }

    @Test func optionalsClearWithNo() throws {
        #expect(Tabular.Arguments().penalty == 10)
        #expect(try Tabular.Arguments().parsing(["--no-penalty"]).penalty == nil)
        #expect(try Tabular.Arguments().parsing(["--no-penalty"]).hyperparameters["penalty"] == nil)
    }

    @Test(arguments: [["--learning-rat", "1"], ["--learning-rate", "fast"], ["--learning-rate"], ["stray"], ["--loss", "l1"]])
    func badWordsAreRejected(words: [String]) {
        #expect(throws: HyperparameterError.self) { try DQN.Arguments().parsing(words) }
    }

    @Test func everyAlgorithmHasDistinctFlags() {
        let sets: [any HyperparameterSet] = [Tabular.Arguments(), DQN.Arguments(), ApeXLearner.Arguments(), Reinforce.Arguments(),
                                             A2C.Arguments(), PPO.Arguments(), A3C.Arguments(), DDPG.Arguments(), TD3.Arguments(), SAC.Arguments()]
        for set in sets {
            let names = set.entries.flatMap { [$0.flag] + $0.aliases }
            #expect(Set(names).count == names.count, "\(type(of: set)) declares a flag twice")
            #expect(set.entries.allSatisfy { !$0.help.isEmpty })
        }
    }

    @Test func savedKeysAreTheSnakeCaseNames() {
        let saved = PPO.Arguments().hyperparameters
        #expect(saved["gae_lambda"] == .double(0.8))
        #expect(saved["anneal_clip_range"] == .bool(true))
        #expect(saved["hidden_sizes"] == .ints([64, 64]))
        #expect(saved["activation"] == .string("relu"))
        #expect(saved["sharing"] == .string("separate"))
        #expect(saved["target_kl"] == nil)  // an unset optional is left out
        #expect(saved.count == PPO.Arguments().entries.filter { $0.value != "none" }.count)
    }

    @Test func configurationRoundTripsThroughJSON() throws {
        var args = SAC.Arguments()
        args.common.tau = 0.1 + 0.2
        args.fixedAlpha = 0.05
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let data = try encoder.encode(args)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"fixed_alpha\":0.05"))
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let back = try decoder.decode(SAC.Arguments.self, from: data)
        #expect(back.common.tau == 0.1 + 0.2)
        #expect(back.fixedAlpha == 0.05)
        #expect(back.logStdRange == args.logStdRange)
    }

    @Test func settingByKeyReadsConfigurationFiles() throws {
        let args = try PPO.Arguments().setting(["n_steps": "64", "clip-range": "0.1"])
        #expect(args.nSteps == 64)
        #expect(args.clipRange == 0.1)
        #expect(throws: HyperparameterError.self) { try PPO.Arguments().setting(["nsteps": "64"]) }
    }
}

/// `--noise-correlation` of SAC and TD3: in [0, 1), else the arguments cannot run.
@Suite struct NoiseCorrelationArgumentTests {
    @Test(arguments: [-0.1, 1, 1.5, Double.nan, Double.infinity])
    func aCorrelationOutsideZeroToOneIsRefused(value: Double) {
        var sac = SAC.Arguments()
        sac.noiseCorrelation = value
        #expect(sac.problem != nil)
        #expect(throws: AgentError.self) { try sac.checked() }
        var td3 = TD3.Arguments()
        td3.noiseCorrelation = value
        #expect(td3.problem != nil)
    }

    @Test func theFlagSetsIt() throws {
        #expect(try SAC.Arguments().parsing(["--noise-correlation", "0.95"]).noiseCorrelation == 0.95)
        #expect(try TD3.Arguments().parsing(["--noise-correlation", "0.5"]).noiseCorrelation == 0.5)
        #expect(SAC.Arguments().noiseCorrelation == 0 && TD3.Arguments().noiseCorrelation == 0)
        #expect(SAC.Arguments().problem == nil && TD3.Arguments().problem == nil)
    }
}
