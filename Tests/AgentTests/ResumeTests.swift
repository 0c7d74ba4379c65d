import Agents
import Foundation
import NeuralNet
import Testing

/// A run stopped at a step boundary and resumed from its checkpoint ends with exactly the
/// weights of the same run trained in one go: every part of the state (networks, targets, Adam
/// moments, replay, random streams, counters, noise, monitor, environments) comes back.
@Suite(.serialized) struct ResumeTests {
    /// The final weights of `train` run whole, and run stopped after `stopAt` steps then resumed.
    func wholeAndResumed(_ algo: String, env: String, seed: UInt64, stopAt: Int, replay: Bool = true,
                         _ train: (TrainingSession) throws -> TrainedAgent) throws
        -> (whole: [String: Tensor], resumed: [String: Tensor], steps: (whole: Int, resumed: Int),
            structures: (whole: [String: MetadataValue], resumed: [String: MetadataValue])) {
        let daemon = try TestDaemon()
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }

        // Whole, writing checkpoints on the way (they must not disturb the run).
        let whole = try daemon.session(algo, env: env, seed: seed)
        whole.checkpointing = .init(directory: root.appendingPathComponent("whole"), every: stopAt, replay: replay)
        let wholeRun = try train(whole)
        #expect(whole.stopReason == nil)

        // Stopped at `stopAt`, then resumed in a fresh session from the checkpoint it left.
        let run = root.appendingPathComponent("interrupted")
        let first = try daemon.session(algo, env: env, seed: seed)
        first.checkpointing = .init(directory: run, every: 1_000_000, replay: replay)
        first.stopAfterSteps = stopAt
        let stopped = try train(first)
        #expect(first.stopReason == .stepLimit(stopAt))
        #expect(stopped.steps == stopAt)
        #expect(first.lastCheckpoint?.step == stopAt)

        let second = try daemon.session(algo, env: env, seed: seed)
        second.checkpointing = .init(directory: run, every: 1_000_000, replay: replay)
        second.resuming = try RunCheckpoints.load(RunCheckpoints.latest(in: run))
        let resumedRun = try train(second)
        #expect(second.stopReason == nil)
        // It did start from the checkpoint (a run from scratch with the same seed would match too).
        #expect(second.lastCheckpoint?.step == stopAt)
        if replay { #expect(second.monitor.episodes == whole.monitor.episodes) }
        return (wholeRun.policy.checkpoint.tensors, resumedRun.policy.checkpoint.tensors, (wholeRun.steps, resumedRun.steps),
                (wholeRun.policy.checkpoint.structure, resumedRun.policy.checkpoint.structure))
    }

    static func dqnArguments() -> DQN.Arguments {
        var args = DQN.Arguments()
        args.totalSteps = 2000
        args.learningStarts = 500
        args.hiddenSizes = [16, 16]
        args.bufferSize = 5000
        args.targetUpdateInterval = 100
        args.exploration = .linear(start: 1, end: 0.05, steps: 1500)
        return args
    }

    @Test func dqnResumesBitIdentically() throws {
        let args = Self.dqnArguments()
        let result = try wholeAndResumed("dqn", env: "CartPole-v1", seed: 3, stopAt: 1000) { try DQN.train(args, session: $0) }
        #expect(result.steps.whole == 2000 && result.steps.resumed == 2000)
        #expect(!result.whole.isEmpty)
        #expect(result.whole == result.resumed)
    }

    /// εz-greedy's runs in progress (held actions and their remaining steps) come back too.
    @Test func dqnWithHeldExplorationResumesBitIdentically() throws {
        var args = Self.dqnArguments()
        args.ezGreedy = 1.5
        args.numEnvs = 2
        let result = try wholeAndResumed("dqn", env: "CartPole-v1", seed: 4, stopAt: 1000) { try DQN.train(args, session: $0) }
        #expect(result.steps.whole == 2000 && result.steps.resumed == 2000)
        #expect(result.whole == result.resumed)
    }

    /// Without the replay buffer in the checkpoint the resumed run refills an empty buffer:
    /// it finishes, but differs, which shows the comparison above can fail.
    @Test func dqnResumedWithoutItsReplayDiffers() throws {
        let args = Self.dqnArguments()
        let result = try wholeAndResumed("dqn", env: "CartPole-v1", seed: 3, stopAt: 1000, replay: false) { try DQN.train(args, session: $0) }
        #expect(result.steps.resumed == 2000)
        #expect(result.whole != result.resumed)
    }

    @Test func ppoResumesBitIdentically() throws {
        var args = PPO.Arguments()
        args.numEnvs = 4
        args.nSteps = 25
        args.totalSteps = 2000
        args.epochs = 2
        args.batchSize = 50
        args.hiddenSizes = [16, 16]
        let result = try wholeAndResumed("ppo", env: "CartPole-v1", seed: 5, stopAt: 1000) { try PPO.train(args, session: $0) }
        #expect(result.steps.whole == 2000)
        #expect(result.whole == result.resumed)
    }

    /// A Gaussian policy on Box actions: correlated exploration noise and float actions replayed.
    @Test func gaussianPPOResumesBitIdentically() throws {
        let args = Self.tinyGaussianPPO()
        let result = try wholeAndResumed("ppo", env: "Pendulum-v1", seed: 2, stopAt: 500) { try PPO.train(args, session: $0) }
        #expect(result.whole == result.resumed)
    }

    /// Standardised observations and rewards: the running statistics (and each environment's
    /// discounted return) come back from the checkpoint, so the weights and the saved scaling match.
    @Test func standardizedPPOResumesBitIdentically() throws {
        var args = Self.tinyGaussianPPO()
        args.standardizeObservations = true
        args.standardizeRewards = true
        args.observationClip = 3
        let result = try wholeAndResumed("ppo", env: "Pendulum-v1", seed: 2, stopAt: 500) { try PPO.train(args, session: $0) }
        #expect(result.whole == result.resumed)
        #expect(result.structures.whole == result.structures.resumed)
        #expect(result.structures.whole["observation_clip"] == .double(3))
        #expect(result.structures.whole["observation_center"] != .doubles([0, 0, 0]), "the statistics moved")
    }

    /// PPO on Pendulum small enough for a test: 2 environments × 50 steps, 1,000 in all, a 16-unit layer.
    static func tinyGaussianPPO() -> PPO.Arguments {
        var args = PPO.Arguments()
        args.numEnvs = 2
        args.nSteps = 50
        args.totalSteps = 1000
        args.epochs = 2
        args.batchSize = 50
        args.hiddenSizes = [16]
        return args
    }

    /// Off-policy settings small enough for a test: 16-16 networks, batch 32, a 5,000 buffer.
    static func tinyOffPolicy(totalSteps: Int, learningStarts: Int) -> OffPolicyArguments {
        var common = OffPolicyArguments()
        common.totalSteps = totalSteps
        common.learningStarts = learningStarts
        common.hiddenSizes = [16, 16]
        common.batchSize = 32
        common.bufferSize = 5000
        return common
    }

    /// With correlated acting noise (`--noise-correlation`) the noise's state comes back too.
    @Test(arguments: [0.0, 0.95]) func sacResumesBitIdentically(noiseCorrelation: Double) throws {
        var args = SAC.Arguments()
        args.noiseCorrelation = noiseCorrelation
        args.common = Self.tinyOffPolicy(totalSteps: 1600, learningStarts: 400)
        let result = try wholeAndResumed("sac", env: "Pendulum-v1", seed: 4, stopAt: 800) { try SAC.train(args, session: $0) }
        #expect(result.steps.whole == 1600)
        #expect(result.whole == result.resumed)
    }

    /// The tabular agents: the table, the exploration stream, the loop's state and action, the
    /// environment and the validations come back.
    @Test(arguments: [Tabular.Method.sarsa, .qLearning]) func tabularAgentsResumeBitIdentically(method: Tabular.Method) throws {
        var args = Tabular.Arguments()
        args.episodes = 60
        let algo = method == .sarsa ? "sarsa" : "qlearning"
        let result = try wholeAndResumed(algo, env: "CartPole-v1", seed: 5, stopAt: 400) { try Tabular.train(args, method: method, session: $0) }
        #expect(result.steps.whole > 400 && result.steps.whole == result.steps.resumed)
        #expect(result.whole["q_table"] != nil)
        #expect(result.whole == result.resumed)
    }

    /// DDPG's OU noise and TD3's delayed actor updates and smoothing noise come back too.
    @Test(arguments: ["ddpg", "td3"]) func ddpgAndTD3ResumeBitIdentically(algo: String) throws {
        let common = Self.tinyOffPolicy(totalSteps: 1200, learningStarts: 300)
        let result = try wholeAndResumed(algo, env: "Pendulum-v1", seed: 6, stopAt: 600) { session in
            if algo == "ddpg" {
                var args = DDPG.Arguments()
                args.common = common
                return try DDPG.train(args, session: session)
            }
            var args = TD3.Arguments()
            args.common = common
            return try TD3.train(args, session: session)
        }
        #expect(result.steps.whole == 1200)
        #expect(result.whole == result.resumed)
    }

    /// TD3 with exploration noise correlated in time: resumed bit for bit, and the noise is not
    /// the white one (the weights differ from a white-noise run of the same seed).
    @Test func td3WithCorrelatedNoiseResumesBitIdentically() throws {
        var args = TD3.Arguments()
        args.common = Self.tinyOffPolicy(totalSteps: 1200, learningStarts: 300)
        let white = try wholeAndResumed("td3", env: "Pendulum-v1", seed: 6, stopAt: 600) { try TD3.train(args, session: $0) }
        args.noiseCorrelation = 0.9
        let correlated = try wholeAndResumed("td3", env: "Pendulum-v1", seed: 6, stopAt: 600) { try TD3.train(args, session: $0) }
        #expect(correlated.whole == correlated.resumed)
        #expect(correlated.whole != white.whole)
    }

    /// A checkpoint is read as hostile: a tensor of the wrong shape, a missing part or a
    /// `latest` that points out of the run directory give errors naming the file, never a trap.
    @Test func aDamagedCheckpointIsAnErrorNamingTheFile() throws {
        let daemon = try TestDaemon()
        let run = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: run) }
        var args = Self.dqnArguments()
        args.totalSteps = 600
        let first = try daemon.session("dqn", env: "CartPole-v1", seed: 1)
        first.checkpointing = .init(directory: run, every: 1_000_000, replay: true)
        first.stopAfterSteps = 520
        _ = try DQN.train(args, session: first)
        let directory = try RunCheckpoints.latest(in: run)
        let tensorsURL = directory.appendingPathComponent("state.safetensors")
        let original = try SafeTensors.load(from: tensorsURL)

        func resumeError() throws -> AgentError? {
            let session = try daemon.session("dqn", env: "CartPole-v1", seed: 1)
            do {
                session.resuming = try RunCheckpoints.load(RunCheckpoints.latest(in: run))
                _ = try DQN.train(args, session: session)
                return nil
            } catch let error as AgentError {
                return error
            }
        }

        var reshaped = original.tensors
        reshaped["q_network/0"] = Tensor.zeros([3, 3])
        try SafeTensors.save(reshaped, to: tensorsURL)
        let shape = try #require(try resumeError())
        #expect(shape.message.contains(directory.path) && shape.message.contains("q_network"))

        var missing = original.tensors
        missing.removeValue(forKey: "optimizer/m.0")
        try SafeTensors.save(missing, to: tensorsURL)
        let moment = try #require(try resumeError())
        #expect(moment.message.contains(directory.path) && moment.message.contains("optimizer"))

        var replay = original.tensors
        replay["replay/rewards"] = Tensor.zeros([7])
        try SafeTensors.save(replay, to: tensorsURL)
        #expect(try resumeError()?.message.contains("replay") == true)

        try SafeTensors.save(original.tensors, to: tensorsURL)
        try Data("../../../etc\n".utf8).write(to: RunCheckpoints.checkpoints(in: run).appendingPathComponent("latest"))
        #expect(try resumeError()?.message.contains("does not name a checkpoint") == true)

        try Data("step-1\n".utf8).write(to: RunCheckpoints.checkpoints(in: run).appendingPathComponent("latest"))
        #expect(try resumeError()?.message.contains("step-1") == true)
    }

    /// REINFORCE stops between updates, after a whole episode per environment, so the stop comes
    /// at the first update boundary past the limit; its checkpoint replays the resets between
    /// updates with the actions, and the resumed run ends on the uninterrupted run's weights.
    @Test func reinforceResumesBitIdentically() throws {
        var args = Reinforce.Arguments()
        args.totalSteps = 3000
        args.numEnvs = 2
        args.hiddenSizes = [16]
        args.validationEpisodes = 0
        let daemon = try TestDaemon()
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let whole = try daemon.session("reinforce", env: "CartPole-v1", seed: 6)
        let wholeRun = try Reinforce.train(args, session: whole)

        let run = root.appendingPathComponent("interrupted")
        let first = try daemon.session("reinforce", env: "CartPole-v1", seed: 6)
        first.checkpointing = .init(directory: run, every: 1_000_000, replay: false)
        first.stopAfterSteps = 1200
        let stopped = try Reinforce.train(args, session: first)
        #expect(first.stopReason == .stepLimit(1200))
        #expect(stopped.steps >= 1200 && stopped.steps < 3000)
        #expect(first.lastCheckpoint?.step == stopped.steps)

        let second = try daemon.session("reinforce", env: "CartPole-v1", seed: 6)
        second.checkpointing = .init(directory: run, every: 1_000_000, replay: false)
        second.resuming = try RunCheckpoints.load(RunCheckpoints.latest(in: run))
        let resumedRun = try Reinforce.train(args, session: second)
        #expect(second.monitor.episodes == whole.monitor.episodes)
        #expect(resumedRun.steps == wholeRun.steps)
        #expect(!wholeRun.policy.checkpoint.tensors.isEmpty)
        #expect(resumedRun.policy.checkpoint.tensors == wholeRun.policy.checkpoint.tensors)
    }

    /// The stop flag a signal handler sets ends the run at the next boundary with a checkpoint,
    /// and a run without checkpointing set still stops.
    @Test func aStopRequestEndsTheRunAtTheNextBoundary() throws {
        let daemon = try TestDaemon()
        let run = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: run) }
        var args = Self.dqnArguments()
        args.totalSteps = 100_000
        let session = try daemon.session("dqn", env: "CartPole-v1", seed: 1)
        session.checkpointing = .init(directory: run, every: 1_000_000, replay: false)
        session.stop.request(.signal(2))
        let trained = try DQN.train(args, session: session)
        #expect(session.stopReason == .signal(2))
        #expect(trained.steps == args.numEnvs)
        #expect(session.lastCheckpoint?.step == args.numEnvs)
        let stopped = try session.finishStopped(trained, save: nil, runDirectory: run)
        #expect(FileManager.default.fileExists(atPath: stopped.policy.path))
        #expect(try PolicyFile.load(from: stopped.policy).metadata.algo == "dqn")

        var reinforce = Reinforce.Arguments()
        reinforce.totalSteps = 100_000
        let other = try daemon.session("reinforce", env: "CartPole-v1", seed: 1)
        other.stop.request(.signal(15))
        let partial = try Reinforce.train(reinforce, session: other)
        #expect(other.stopReason == .signal(15))
        #expect(partial.steps < 1000)
    }
}
