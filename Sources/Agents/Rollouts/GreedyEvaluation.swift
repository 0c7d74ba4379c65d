import GymClient
import GymCore

/// Plays a deterministic policy for one episode per seed and reports the returns.
///
/// Episodes run side by side in one batch of environments (at most `width` at once), each
/// reset with its own seed, so the result depends on the seeds and the policy only: the same
/// seeds give the same returns whether the daemon is in this process or across the network,
/// and whatever the batch width.
public enum GreedyEvaluation {
    /// Runs one episode per seed on `env`; an episode that reaches `stepLimit` steps without
    /// ending is cut there (for environments without a time limit).
    public static func run(
        _ policy: any Policy, connection: GymConnection, env: String, kwargs: ValueMap = [:], seeds: [UInt64],
        width: Int = 32, stepLimit: Int = 100_000
    ) throws -> EvaluationResult {
        guard !seeds.isEmpty else { return EvaluationResult(returns: [], lengths: []) }
        let count = min(seeds.count, max(width, 1))
        let batch = try RemoteVectorEnv(connection: connection, id: env, count: count, kwargs: kwargs, autoreset: .nextStep)
        defer { try? batch.close() }
        let send = try actionSender(policy, batch: batch)
        let encoding = try ObservationEncoding(batch.spec.observationSpace, form: policy.observationForm)
        var returns = [Double](repeating: 0, count: seeds.count)
        var lengths = [Int](repeating: 0, count: seeds.count)
        for chunkStart in stride(from: 0, to: seeds.count, by: count) {
            let chunk = Array(seeds[chunkStart..<min(chunkStart + count, seeds.count)])
            // A short last chunk fills the batch with spare episodes whose results are dropped.
            let padding = (0..<(count - chunk.count)).map { (chunk.last ?? 0) &+ 1 &+ UInt64($0) }
            var observations = try encoding.encode(batch.reset(seeds: chunk + padding).observations, rows: count)
            var running = Array(repeating: true, count: chunk.count)
            while running.contains(true) {
                let step = try send(policy.actions(observations, count: count))
                for index in chunk.indices where running[index] {
                    let episode = chunkStart + index
                    returns[episode] += step.rewards[index]
                    lengths[episode] += 1
                    if step.terminated[index] || step.truncated[index] || lengths[episode] >= stepLimit { running[index] = false }
                }
                observations = try encoding.encode(step.observations, rows: count)
            }
        }
        return EvaluationResult(returns: returns, lengths: lengths)
    }

    /// Checks that `policy` fits the batch's spaces and returns what steps the batch with its actions.
    private static func actionSender(_ policy: any Policy, batch: RemoteVectorEnv) throws -> (PolicyActions) throws -> RemoteVectorEnv.Step {
        if policy.isContinuous {
            try ContinuousSpaceLayout(batch.spec).check(policy, env: batch.spec.id)
        } else {
            try SpaceLayout(batch.spec, form: policy.observationForm).check(policy, env: batch.spec.id)
        }
        let discrete = try? SpaceLayout(batch.spec, form: policy.observationForm)
        return { actions in
            switch actions {
            case .discrete(let indices):
                guard let discrete else { throw AgentError(.policyFile, "\(batch.spec.id) has no discrete actions") }
                return try batch.step([discrete.wire(indices)])
            case .box(let values):
                return try batch.step(box: values)
            }
        }
    }
}
